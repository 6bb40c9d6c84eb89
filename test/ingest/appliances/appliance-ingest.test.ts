import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { InlineDeviceService } from '../../../src/appliances/inline-device.service';
import { PreseemSettingsService } from '../../../src/appliances/preseem-settings.service';
import { loadConfig } from '../../../src/config';
import { ApplianceIngest } from '../../../src/ingest/appliances/appliance-ingest';
import { IngestStatusRegistry } from '../../../src/ingest/ingest-status';
import { openTestDataSource, testEngines } from '../../support/database';
import { createAccounts, expectEventually, FakeApplianceServer, MapAttribution, TableLedger } from './support';

describe.each(testEngines())('appliance ingest component on %s', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let preseem: FakeApplianceServer;
  let saisei: FakeApplianceServer;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDataSource(engine));
    await TableLedger.createTables(dataSource);
    await createAccounts(dataSource, [42]);
    const now = Date.now();
    const end = Math.floor(now / 900_000) * 900_000;
    preseem = new FakeApplianceServer(() => ({
      body: { data: [{ account_id: '42', start: new Date(end - 900_000).toISOString(), end: new Date(end).toISOString(), download_bytes: 5000, upload_bytes: 500 }] },
    }));
    saisei = new FakeApplianceServer(() => ({ body: { size: 1, collection: [{ name: 'User-100.64.0.7', dest_smoothed_rate: 8, source_smoothed_rate: 0 }] } }));
    const base = await preseem.listen();
    await saisei.listen();
    await new PreseemSettingsService(dataSource).update({ enabled: true, api_key: 'k', base_url: base, interval: 60 });
    await new InlineDeviceService(dataSource).create({ name: 'core-saisei', type: 'SAISEI', ip_address: '127.0.0.1', port: saisei.port, username: 'u', password: 'p' });
  });

  afterAll(async () => {
    await preseem.close();
    await saisei.close();
    await close();
  });

  it('starts both pollers, reports them in ingest_status and /metrics, and stops cleanly', async () => {
    const ingestStatus = new IngestStatusRegistry();
    const metrics = new Registry();
    const config = loadConfig({ SAISEI_SETTLE_S: '0' }).appliances;
    const ingest = new ApplianceIngest({
      dataSource,
      attribution: new MapAttribution({ '100.64.0.7': 42 }),
      ledger: new TableLedger(),
      config,
      ingestStatus,
      metrics,
    });
    // Inert until started.
    expect(preseem.requests).toHaveLength(0);
    await ingest.start();
    try {
      await expectEventually(async () => {
        const entries = await ingestStatus.entries();
        expect(entries.map((e) => [e.dataSourceParent, e.dataSourceIdentifier, e.accepted])).toEqual([
          ['Preseem', 'Preseem', 1],
          ['SaiSei', 'core-saisei', 1],
        ]);
      });
    } finally {
      await ingest.stop();
    }
    const totals = await TableLedger.totals(dataSource, 'Preseem');
    expect(totals).toEqual({ '42': ['5000', '500'] });
    const text = await metrics.metrics();
    expect(text).toContain('usage_meter_appliance_intervals_credited{source="Preseem",identifier="Preseem"} 1');
    expect(text).toContain('usage_meter_appliance_intervals_credited{source="SaiSei",identifier="core-saisei"} 1');
    const requests = preseem.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(preseem.requests.length).toBe(requests);
  });
});
