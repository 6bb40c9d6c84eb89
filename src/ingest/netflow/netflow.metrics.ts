import { Counter, Gauge, Registry } from 'prom-client';
import { IMPLAUSIBLE_BYTES } from '../../usage/plausible-bytes';
import type { ExporterCounters, NetflowCollector } from './netflow.collector';

/**
 * Prometheus view of the collector's plain counters. Nothing here runs per packet: each
 * metric reads the counters when scraped (collect callbacks), so the hot path stays a `++`.
 */
const NAMES = [
  'netflow_datagrams_received_total',
  'netflow_datagrams_decoded_total',
  'netflow_records_decoded_total',
  'netflow_templates_missing_total',
  'netflow_estimated_lost_total',
  'netflow_flows_without_sampling_rate_total',
  'netflow_bytes_attributed_total',
  'netflow_bytes_unattributed_total',
  'netflow_datagrams_dropped_total',
  'usage_meter_netflow_records_dropped_total',
  'netflow_queue_depth',
];

/** The collector may be replaced (stop/start): metrics read whichever is current. */
export interface CollectorRef {
  current(): NetflowCollector | null;
}

export function registerNetflowMetrics(registry: Registry, ref: CollectorRef): void {
  // Registering again (a new component on the same registry) replaces the previous views.
  for (const name of NAMES) registry.removeSingleMetric(name);
  const perExporter = (
    name: string,
    help: string,
    read: (c: ExporterCounters) => number,
  ) =>
    new Counter({
      name,
      help,
      labelNames: ['source', 'exporter'],
      registers: [registry],
      collect() {
        this.reset();
        for (const e of ref.current()?.exporterCounters() ?? []) {
          this.inc({ source: e.source.parent, exporter: e.address }, read(e.counters));
        }
      },
    });

  perExporter('netflow_datagrams_received_total', 'Datagrams received from a configured exporter.', (c) => c.received);
  perExporter('netflow_datagrams_decoded_total', 'Datagrams decoded.', (c) => c.decoded);
  perExporter('netflow_records_decoded_total', 'Flow records decoded.', (c) => c.records);
  perExporter('netflow_templates_missing_total', 'Data sets whose template was unknown or expired.', (c) => c.templatesMissing);
  perExporter('netflow_estimated_lost_total', 'Estimated lost export packets (v9) or records (IPFIX, v5) from sequence gaps.', (c) => c.lost);
  perExporter('netflow_flows_without_sampling_rate_total', 'Flows that arrived before any sampling rate was known (credited at 1).', (c) => c.flowsWithoutRate);
  perExporter('netflow_bytes_attributed_total', 'Flow bytes credited to an account.', (c) => c.bytesAttributed);
  perExporter('netflow_bytes_unattributed_total', 'Flow bytes whose addresses matched no assignment.', (c) => c.bytesUnattributed);

  new Counter({
    name: 'netflow_datagrams_dropped_total',
    help: 'Datagrams dropped, by reason (unknown_exporter, queue_full, ledger_behind, malformed ...).',
    labelNames: ['exporter', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      const collector = ref.current();
      if (!collector) return;
      for (const e of collector.exporterCounters()) {
        for (const [reason, n] of Object.entries(e.counters.dropped)) this.inc({ exporter: e.address, reason }, n);
      }
      this.inc({ exporter: '', reason: 'queue_full' }, collector.global.queueFull);
      this.inc({ exporter: '', reason: 'unknown_exporter' }, collector.global.unknownExporter);
    },
  });

  new Counter({
    name: 'usage_meter_netflow_records_dropped_total',
    help: 'Decoded records not credited, by reason: implausible_bytes (bytes x sampling beyond what one record may carry), ledger_behind.',
    labelNames: ['source', 'exporter', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const e of ref.current()?.exporterCounters() ?? []) {
        const labels = { source: e.source.parent, exporter: e.address };
        this.inc({ ...labels, reason: IMPLAUSIBLE_BYTES }, e.counters.recordsImplausible);
        this.inc({ ...labels, reason: 'ledger_behind' }, e.counters.recordsDroppedLedgerBehind);
      }
    },
  });

  new Gauge({
    name: 'netflow_queue_depth',
    help: 'Datagrams waiting between the socket and the decoder.',
    registers: [registry],
    collect() {
      this.set(ref.current()?.queueDepth ?? 0);
    },
  });
}
