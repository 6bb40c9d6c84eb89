import type { DataSource } from 'typeorm';
import { AttributionService } from '../../../src/attribution/attribution.service';
import { InlineDeviceService } from '../../../src/appliances/inline-device.service';
import { IntervalCreditor } from '../../../src/appliances/interval-crediting.service';
import { PreseemSettingsService } from '../../../src/appliances/preseem-settings.service';
import { defaultPreseemPollerOptions, PreseemPoller } from '../../../src/ingest/appliances/preseem/preseem.poller';
import { defaultSaiseiPollerOptions, SaiseiPoller } from '../../../src/ingest/appliances/saisei/saisei.poller';
import { openTestDataSource, testEngines } from '../../support/database';
import { createAccounts, FakeApplianceServer, TableLedger } from './support';

/** Both adapters through the real AttributionService: addresses resolve by the assignments held at the traffic's time. */
describe.each(testEngines())('appliances with the real attribution on %s', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let attribution: AttributionService;
  let preseem: FakeApplianceServer;
  let saisei: FakeApplianceServer;
  let assignedAt: number;
  const records: unknown[] = [];

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDataSource(engine));
    await TableLedger.createTables(dataSource);
    await createAccounts(dataSource, [5, 6]);
    await dataSource.query(`INSERT INTO ip_assignments (subnet, ipassignmentable_type, ipassignmentable_id) VALUES ('100.64.0.0/24', 'Account', 5), ('100.64.0.9/32', 'Account', 6)`);
    assignedAt = Date.now();
    attribution = new AttributionService(dataSource, { syncIntervalMs: 60_000, historyDays: 90 });
    await attribution.start();
    preseem = new FakeApplianceServer(() => ({ body: { data: records } }));
    saisei = new FakeApplianceServer(() => ({
      body: { collection: [{ name: 'User-100.64.0.7', dest_smoothed_rate: 8, source_smoothed_rate: 0 }, { name: 'User-100.64.0.9', dest_smoothed_rate: 0, source_smoothed_rate: 16 }, { name: 'User-10.9.9.9', dest_smoothed_rate: 8, source_smoothed_rate: 8 }] },
    }));
    const base = await preseem.listen();
    await saisei.listen();
    await new PreseemSettingsService(dataSource).update({ enabled: true, api_key: 'k', base_url: base, interval: 900 });
    await new InlineDeviceService(dataSource).create({ name: 'saisei-1', type: 'SAISEI', ip_address: '127.0.0.1', port: saisei.port });
  });

  afterAll(async () => {
    await attribution?.stop();
    await preseem?.close();
    await saisei?.close();
    await close?.();
  });

  it('credits by IP at the traffic time, longest prefix first, and reports the rest as unattributed', async () => {
    const later = assignedAt + 16 * 60_000;
    const start = new Date(assignedAt + 60_000).toISOString();
    const end = new Date(assignedAt + 60_000 + 900_000).toISOString();
    records.push(
      { ip: '100.64.0.7', start, end, download_bytes: 100, upload_bytes: 1 },
      { ip: '100.64.0.9', start, end, download_bytes: 200, upload_bytes: 2 },
      { ip: '10.9.9.9', start, end, download_bytes: 300, upload_bytes: 3 },
      // Before the assignment existed: nobody held the address then.
      { ip: '100.64.0.7', start: new Date(assignedAt - 3_600_000).toISOString(), end: new Date(assignedAt - 2_700_000).toISOString(), download_bytes: 400, upload_bytes: 4 },
    );
    const ledger = new TableLedger();
    const creditor = new IntervalCreditor(dataSource, ledger);
    const now = () => later + 2 * 60_000;
    await new PreseemPoller({ settings: new PreseemSettingsService(dataSource), creditor, attribution, now }, { ...defaultPreseemPollerOptions, initialLookbackMs: 2 * 3_600_000 }).pollOnce();
    const saiseiPoller = new SaiseiPoller({ devices: new InlineDeviceService(dataSource), creditor, attribution, now }, defaultSaiseiPollerOptions);
    expect(await saiseiPoller.pollOnce()).toEqual({ behind: false, errors: 0 });

    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({ '5': ['100', '1'], '6': ['200', '2'] });
    expect(await TableLedger.unattributedTotals(dataSource, 'Preseem')).toEqual({ '10.9.9.9': ['300', '3'], '100.64.0.7': ['400', '4'] });
    expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({ '5': ['300000', '0'], '6': ['0', '600000'] });
    expect(await TableLedger.unattributedTotals(dataSource, 'SaiSei')).toEqual({ '10.9.9.9': ['300000', '300000'] });
  });
});
