import { Counter, Gauge, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Attribution, RadiusAccountOwners } from '../../attribution/attribution';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import type { RadiusServerService } from '../../radius/radius-server.service';
import type { Ledger } from '../../usage/ledger';
import { IMPLAUSIBLE_BYTES, RecordByteLimit } from '../../usage/plausible-bytes';
import type { IngestStatusEntry, IngestStatusRegistry } from '../ingest-status';
import { ensureRadacctUrlServer } from './radacct-database-url';
import { defaultRadacctImportsOptions, RadacctImportRegistry } from './radacct-imports.registry';
import { RadiusAccountingServer } from './radius-accounting.server';
import { RADIUS_SOURCE_PARENT, RadiusAccountingStore } from './radius-accounting.store';
import { RadiusClientRegistry } from './radius-clients.registry';
import { RADIUS_DROP_REASONS, RadiusMetrics } from './radius.metrics';

export interface RadiusIngestDeps {
  config: Config['radius'];
  dataSource: DataSource;
  attribution: Attribution & RadiusAccountOwners;
  ledger: Ledger;
  logger: Logger;
  /** The RadiusServers whose radacct is imported. */
  servers: RadiusServerService;
  /** The edge rule for the bytes a request or radacct row credits (default: USAGE_MAX_BITS_PER_SECOND's default). */
  recordLimit?: RecordByteLimit;
  metrics?: Registry;
  ingestStatus?: IngestStatusRegistry;
  /** Called after a commit that added or removed soft IP assignments (AttributionService.refresh). */
  refreshAttribution?: () => unknown;
}

/**
 * RADIUS as one component: the accounting server (unless RADIUS_ACCT_PORT=0) and the radacct
 * import of every RadiusServer that collects bandwidth. Inert until `start()`.
 */
export class RadiusIngest {
  readonly name = 'radius';
  readonly metrics = new RadiusMetrics();
  readonly clients: RadiusClientRegistry;
  readonly server: RadiusAccountingServer | null;
  readonly radacct: RadacctImportRegistry;
  private refreshTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: RadiusIngestDeps) {
    const { config, dataSource, attribution, ledger, logger } = deps;
    this.clients = new RadiusClientRegistry(dataSource);
    this.server =
      config.acctPort === null
        ? null
        : new RadiusAccountingServer(
            { port: config.acctPort, host: config.acctHost, batchMax: config.batchMax, lanes: config.lanes, queueMax: config.queueMax, replyCacheMs: config.replyCacheMs, retryDelayMs: 1000 },
            this.clients,
            new RadiusAccountingStore(dataSource, attribution, ledger, { recordLimit: deps.recordLimit }),
            {
              logger,
              afterCommit: (assignmentsChanged) => {
                if (assignmentsChanged) Promise.resolve(deps.refreshAttribution?.()).catch((err) => logger.warn({ err }, 'attribution refresh failed'));
              },
            },
            this.metrics,
          );
    this.radacct = new RadacctImportRegistry(
      { servers: deps.servers, dataSource, attribution, ledger, logger, metrics: this.metrics, recordLimit: deps.recordLimit },
      { ...defaultRadacctImportsOptions, pollIntervalMs: config.radacctPollIntervalMs },
    );
  }

  async start(): Promise<void> {
    if (this.deps.metrics) {
      registerRadiusMetrics(this.deps.metrics, this.metrics);
      registerRadacctServerMetrics(this.deps.metrics, this.radacct);
    }
    this.deps.ingestStatus?.register({ ingestStatus: () => this.ingestStatus() });
    if (this.server) {
      await this.clients.reload();
      this.refreshTimer = setInterval(() => {
        this.clients.reload().catch((err) => this.deps.logger.warn({ err: (err as Error).message }, 'radius clients reload failed'));
      }, this.deps.config.clientsRefreshMs);
      this.refreshTimer.unref();
      await this.server.start();
      this.deps.logger.info({ port: this.server.address().port }, 'RADIUS accounting server listening');
    }
    if (this.deps.config.radacctUrl) {
      const server = await ensureRadacctUrlServer(this.deps.config.radacctUrl, this.deps.servers);
      this.deps.logger.warn(
        { radius_server_id: server.id },
        'RADACCT_DATABASE_URL is deprecated: its database is imported as a RadiusServer (FREERADIUS_POSTGRESQL); manage it through the API and unset the variable',
      );
    }
    await this.radacct.start();
  }

  async stop(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    await this.radacct.stop();
    await this.server?.stop();
  }

  ingestStatus(): IngestStatusEntry[] {
    const m = this.metrics;
    const entries: IngestStatusEntry[] = [...m.nas.entries()].map(([nas, s]) => ({
      dataSourceParent: RADIUS_SOURCE_PARENT,
      dataSourceIdentifier: nas,
      lastSeenAt: new Date(s.lastSeenMs),
      received: s.received,
      accepted: s.accepted,
      dropped: implausible(m.implausible.get(nas) ?? 0),
      bytesAttributed: 0n,
      bytesUnattributed: 0n,
    }));
    // Server-wide: drops before a NAS is known (unknown client, bad authenticator, malformed).
    entries.push({
      dataSourceParent: RADIUS_SOURCE_PARENT,
      dataSourceIdentifier: 'accounting-server',
      lastSeenAt: m.lastCommitMs ? new Date(m.lastCommitMs) : null,
      received: m.received,
      accepted: m.stored,
      dropped: Object.fromEntries(Object.entries(m.dropped).filter(([, n]) => n > 0)),
      bytesAttributed: m.inBytes + m.outBytes,
      bytesUnattributed: m.unattributedBytes,
      lastSuccessAt: m.lastCommitMs ? new Date(m.lastCommitMs) : null,
      details: { retransmissions: m.retransmissions, batches: m.batches, queue_depth: m.queueDepth, stale_requests: m.staleRequests, sessions_opened: m.sessionsOpened, sessions_closed: m.sessionsClosed },
    });
    entries.push(...this.radacct.ingestStatus());
    return entries;
  }
}

const implausible = (n: number): Record<string, number> => (n > 0 ? { [IMPLAUSIBLE_BYTES]: n } : {});

/** Prometheus view of the plain counters: read at scrape time, nothing per packet. */
export function registerRadiusMetrics(registry: Registry, m: RadiusMetrics): void {
  const counter = (name: string, help: string, read: () => number | bigint) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(Number(read()));
      },
    });
  counter('usage_meter_radius_requests_received_total', 'Accounting datagrams received', () => m.received);
  counter('usage_meter_radius_requests_stored_total', 'Accounting-Requests committed and answered', () => m.stored);
  counter('usage_meter_radius_retransmissions_total', 'Retransmissions answered from the reply cache', () => m.retransmissions);
  counter('usage_meter_radius_batches_total', 'Group-commit transactions', () => m.batches);
  counter('usage_meter_radius_bytes_in_total', 'Download bytes credited from RADIUS accounting', () => m.inBytes);
  counter('usage_meter_radius_bytes_out_total', 'Upload bytes credited from RADIUS accounting', () => m.outBytes);
  counter('usage_meter_radius_bytes_unattributed_total', 'Bytes of accounting-server sessions whose username matched no account', () => m.unattributedBytes);
  counter('usage_meter_radacct_rows_read_total', 'radacct rows read by the importer', () => m.radacctRowsRead);
  counter('usage_meter_radacct_bytes_unattributed_total', 'Bytes of imported radacct rows whose username matched no account', () => m.radacctUnattributedBytes);
  new Counter({
    name: 'usage_meter_radius_dropped_total',
    help: 'Accounting datagrams dropped, by reason; implausible_bytes (per nas): requests or radacct rows whose bytes were not credited',
    labelNames: ['reason', 'nas'],
    registers: [registry],
    collect() {
      this.reset();
      // Datagram drops happen before a NAS is trusted: no nas label.
      for (const reason of RADIUS_DROP_REASONS) this.inc({ reason }, m.dropped[reason]);
      for (const [nas, n] of m.implausible) this.inc({ reason: IMPLAUSIBLE_BYTES, nas }, n);
    },
  });
  new Gauge({
    name: 'usage_meter_radius_queue_depth',
    help: 'Accounting-Requests waiting for the next group commit',
    registers: [registry],
    collect() {
      this.set(m.queueDepth);
    },
  });
}

/** Per RadiusServer being imported: 1 while its last import succeeded, 0 after a failed one. */
function registerRadacctServerMetrics(registry: Registry, radacct: RadacctImportRegistry): void {
  new Gauge({
    name: 'usage_meter_radacct_server_up',
    help: 'Whether the last radacct import of a RadiusServer succeeded (1) or failed (0)',
    labelNames: ['radius_server_id', 'name'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { server, status } of radacct.importers()) {
        if (status.status !== null) this.set({ radius_server_id: String(server.id), name: server.name }, status.status === 'UP' ? 1 : 0);
      }
    },
  });
}
