import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { RadiusIngest, registerRadiusMetrics } from '../../../src/ingest/radius/radius.component';
import type { RadiusServerService } from '../../../src/radius/radius-server.service';
import { MapAttribution } from './radius-test-support';

describe('RADIUS drop counters', () => {
  it('count implausible_bytes per NAS, in /metrics and in the NAS rows of ingest_status, beside the datagram drops', async () => {
    const ingest = new RadiusIngest({
      config: { ...loadConfig({}).radius, acctPort: null },
      dataSource: {} as DataSource, // inert: no server, no importer
      attribution: new MapAttribution(),
      ledger: { record: async () => {} },
      logger: createLogger('silent'),
      servers: {} as RadiusServerService, // inert: never started
    });
    const m = ingest.metrics;
    m.drop('bad_authenticator');
    m.nas.set('10.0.0.1', { lastSeenMs: 1, received: 5, accepted: 5 });
    m.dropImplausible('10.0.0.1', 2);
    m.dropImplausible('10.0.0.2');
    const registry = new Registry();
    registerRadiusMetrics(registry, m);
    const text = await registry.metrics();
    expect(text).toContain('usage_meter_radius_dropped_total{reason="bad_authenticator"} 1');
    expect(text).toContain('usage_meter_radius_dropped_total{reason="implausible_bytes",nas="10.0.0.1"} 2');
    expect(text).toContain('usage_meter_radius_dropped_total{reason="implausible_bytes",nas="10.0.0.2"} 1');
    const nasRow = ingest.ingestStatus().find((e) => e.dataSourceIdentifier === '10.0.0.1');
    expect(nasRow?.dropped).toEqual({ implausible_bytes: 2 });
    expect(ingest.ingestStatus().find((e) => e.dataSourceIdentifier === 'accounting-server')?.dropped).toEqual({ bad_authenticator: 1 });
  });
});
