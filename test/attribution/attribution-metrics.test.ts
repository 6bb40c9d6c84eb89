import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AttributionService } from '../../src/attribution/attribution.service';

describe('AttributionService metrics', () => {
  it('exposes gauges read at scrape time', async () => {
    const registry = new Registry();
    const service = new AttributionService({} as DataSource, { syncIntervalMs: 1000, historyDays: 90 });
    service.registerMetrics(registry);
    const text = await registry.metrics();
    expect(text).toContain('usage_meter_attribution_prefixes 0');
    expect(text).toContain('usage_meter_attribution_sync_errors 0');
    expect(text).toContain('usage_meter_attribution_sync_age_seconds -1');
  });

  it('answers null before anything is loaded, without touching the database', () => {
    const service = new AttributionService({} as DataSource, { syncIntervalMs: 1000, historyDays: 90 });
    expect(service.accountForIp('10.0.0.1', Date.now())).toBeNull();
    expect(service.accountForIPv6(new Uint8Array(16), 0)).toBeNull();
    expect(service.accountForIPv6(new Uint8Array(4), 0)).toBeNull();
    expect(service.accountForUsername('x', 0)).toBeNull();
  });
});
