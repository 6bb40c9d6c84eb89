import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per running service (not the global one, so tests can run
 * several services in one process). Components register their counters on it; hot paths
 * keep plain numbers and expose them through `collect()` callbacks instead of per-packet
 * label lookups.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'usage_meter_' });
  return registry;
}
