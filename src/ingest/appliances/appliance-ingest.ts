import { Gauge, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Attribution } from '../../attribution/attribution';
import { InlineDeviceService } from '../../appliances/inline-device.service';
import { IntervalCreditor } from '../../appliances/interval-crediting.service';
import { PreseemSettingsService } from '../../appliances/preseem-settings.service';
import type { ApplianceConfig } from '../../config';
import type { Logger } from '../../logger';
import type { Ledger } from '../../usage/ledger';
import type { RecordByteLimit } from '../../usage/plausible-bytes';
import type { IngestStatusRegistry } from '../ingest-status';
import type { ApplianceStatus } from './appliance-status';
import { defaultPreseemPollerOptions, PreseemPoller } from './preseem/preseem.poller';
import { defaultSaiseiPollerOptions, SaiseiPoller } from './saisei/saisei.poller';

export interface ApplianceIngestDeps {
  dataSource: DataSource;
  attribution: Attribution;
  ledger: Ledger;
  config: ApplianceConfig;
  /** The edge rule for a record's bytes (default: USAGE_MAX_BITS_PER_SECOND's default). */
  recordLimit?: RecordByteLimit;
  logger?: Logger;
  ingestStatus?: IngestStatusRegistry;
  metrics?: Registry;
}

/**
 * The appliance sources as one component for the composition root: the Preseem poller and
 * the SaiSei poller (PacketLogic arrives through the flow collector). Inert until start();
 * stop() aborts in-flight requests and waits for them.
 *
 *     const appliances = new ApplianceIngest({ dataSource, attribution, ledger, config: config.appliances, logger, ingestStatus, metrics });
 *     components.push({ name: appliances.name, start: () => appliances.start(), stop: () => appliances.stop() });
 */
export class ApplianceIngest {
  readonly name = 'appliances';
  readonly preseem: PreseemPoller;
  readonly saisei: SaiseiPoller;

  constructor(deps: ApplianceIngestDeps) {
    const creditor = new IntervalCreditor(deps.dataSource, deps.ledger);
    const c = deps.config;
    const common = { timeoutMs: c.timeoutMs, backoffBaseMs: c.backoffBaseMs, backoffMaxMs: c.backoffMaxMs, retentionMs: c.retentionMs };
    this.preseem = new PreseemPoller(
      { settings: new PreseemSettingsService(deps.dataSource), creditor, attribution: deps.attribution, logger: deps.logger, recordLimit: deps.recordLimit },
      { ...defaultPreseemPollerOptions, ...common, ...c.preseem },
    );
    this.saisei = new SaiseiPoller(
      { devices: new InlineDeviceService(deps.dataSource), creditor, attribution: deps.attribution, logger: deps.logger, recordLimit: deps.recordLimit },
      { ...defaultSaiseiPollerOptions, ...common, ...c.saisei },
    );
    deps.ingestStatus?.register(this.preseem);
    deps.ingestStatus?.register(this.saisei);
    if (deps.metrics) registerApplianceMetrics(deps.metrics, () => [this.preseem.status(), ...this.saisei.statuses()]);
  }

  async start(): Promise<void> {
    this.preseem.start();
    this.saisei.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.preseem.stop(), this.saisei.stop()]);
  }
}

/** Gauges read from the pollers' status at scrape time (the same numbers as ingest_status). */
function registerApplianceMetrics(registry: Registry, statuses: () => ApplianceStatus[]): void {
  const labelNames = ['source', 'identifier'] as const;
  const gauge = (name: string, help: string, value: (s: ApplianceStatus) => number, extra: string[] = []) =>
    new Gauge({
      name: `usage_meter_appliance_${name}`,
      help,
      labelNames: [...labelNames, ...extra],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of statuses()) this.set({ source: s.source, identifier: s.identifier }, value(s));
      },
    });
  gauge('intervals_credited', 'Intervals credited (persisted total).', (s) => Number(s.intervalsCredited));
  gauge('records_unattributed', 'Records that matched no account (persisted total).', (s) => Number(s.recordsUnattributed));
  gauge('records_invalid', 'Records skipped as malformed since start.', (s) => s.recordsInvalid);
  gauge('records_implausible', 'Records not credited since start: bytes beyond what the record could carry (implausible_bytes).', (s) => s.recordsImplausible);
  gauge('duplicates_skipped', 'Intervals skipped as already credited since start.', (s) => s.duplicatesSkipped);
  gauge('consecutive_failures', 'Consecutive failed polls (0 = healthy).', (s) => s.consecutiveFailures);
  gauge('last_success_timestamp_seconds', 'Time of the last successful poll.', (s) => (s.lastSuccessAt ? s.lastSuccessAt.getTime() / 1000 : 0));
  gauge('checkpoint_timestamp_seconds', 'End of the time last asked for and credited (the next poll continues from here).', (s) =>
    s.checkpoint ? s.checkpoint.getTime() / 1000 : 0,
  );
  gauge('bytes_attributed', 'Bytes credited to accounts since start.', (s) => Number(s.bytesAttributed));
  gauge('bytes_unattributed', 'Bytes credited to the unattributed report since start.', (s) => Number(s.bytesUnattributed));
}
