import type { RecordByteLimit } from '../../usage/plausible-bytes';
import type { DataSource } from 'typeorm';
import type { Attribution } from '../../attribution/attribution';
import type { Logger } from '../../logger';
import { DEFAULT_DATABASE_PORT, RadiusServerService, RadiusServerWithSecrets } from '../../radius/radius-server.service';
import type { Ledger } from '../../usage/ledger';
import type { IngestStatusEntry } from '../ingest-status';
import { RadacctImporter, RadacctImporterOptions } from './radacct.importer';
import { MysqlRadacctReader } from './radacct-mysql.reader';
import { PostgresqlRadacctReader } from './radacct-postgresql.reader';
import type { RadacctReader, RadacctReaderOptions } from './radacct.reader';
import { RADIUS_SOURCE_PARENT } from './radius-accounting.store';
import { RadiusMetrics } from './radius.metrics';

export interface RadacctImportsOptions extends RadacctImporterOptions, RadacctReaderOptions {}

export const defaultRadacctImportsOptions: RadacctImportsOptions = {
  pollIntervalMs: 30_000,
  batchSize: 5000,
  overlapMs: 15 * 60_000,
  connectTimeoutMs: 5000,
  queryTimeoutMs: 120_000,
};

export interface RadacctImportsDeps {
  servers: RadiusServerService;
  dataSource: DataSource;
  attribution: Attribution;
  ledger: Ledger;
  logger?: Logger;
  metrics?: RadiusMetrics;
  /** The edge rule for the bytes a row credits. */
  recordLimit?: RecordByteLimit;
}

/** The reader of a server's database, by its type. */
export function openRadacctReader(server: RadiusServerWithSecrets, options: RadacctReaderOptions): RadacctReader {
  const db = {
    host: server.ip_address,
    port: server.database_port ?? DEFAULT_DATABASE_PORT[server.type],
    database: server.database_name ?? '',
    user: server.database_username ?? '',
    password: server.database_password,
  };
  return server.type === 'FREERADIUS_MYSQL' ? new MysqlRadacctReader(db, options) : new PostgresqlRadacctReader(db, options);
}

/** What an importer was built from: a server whose settings differ gets a new importer. */
function settingsOf(server: RadiusServerWithSecrets): string {
  return JSON.stringify([server.name, server.type, server.ip_address, server.database_port, server.database_name, server.database_username, server.database_password]);
}

/**
 * One RadacctImporter per RadiusServer to import (enabled, collect_bandwidth), each with its own
 * connections and poll timer, so a server that is down or slow holds up no other. The set follows
 * the radius_servers table: `reloadServers()` starts importers for new servers, stops those of
 * servers removed, disabled or no longer collecting, and replaces those whose connection settings
 * changed. It runs at start and every poll interval (a change made through the API takes effect
 * within one), and is the one step to call when a change should apply at once.
 */
export class RadacctImportRegistry {
  private readonly running = new Map<number, { importer: RadacctImporter; settings: string }>();
  private readonly metrics: RadiusMetrics;
  private reloading: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: RadacctImportsDeps,
    private readonly options: RadacctImportsOptions = defaultRadacctImportsOptions,
  ) {
    this.metrics = deps.metrics ?? new RadiusMetrics();
  }

  async start(): Promise<void> {
    await this.reloadServers().catch((err) => this.deps.logger?.warn({ err: (err as Error).message }, 'radius servers reload failed; will retry'));
    this.timer = setInterval(() => {
      this.reloadServers().catch((err) => this.deps.logger?.warn({ err: (err as Error).message }, 'radius servers reload failed; will retry'));
    }, this.options.pollIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reloading.catch(() => {});
    const entries = [...this.running.values()];
    this.running.clear();
    await Promise.all(entries.map((e) => e.importer.stop()));
  }

  /** Makes the running importers match the servers to import now. Reloads never overlap. */
  reloadServers(): Promise<void> {
    const run = this.reloading.catch(() => {}).then(() => this.reload());
    this.reloading = run;
    return run;
  }

  /** The importer of a server, if it is being imported. */
  importer(serverId: number): RadacctImporter | undefined {
    return this.running.get(serverId)?.importer;
  }

  importers(): RadacctImporter[] {
    return [...this.running.values()].map((e) => e.importer);
  }

  /** One entry per server being imported. */
  ingestStatus(): IngestStatusEntry[] {
    return this.importers().map(({ server, status: s }) => ({
      dataSourceParent: RADIUS_SOURCE_PARENT,
      dataSourceIdentifier: `radacct:${server.name}`,
      lastSeenAt: s.lastSuccessAt,
      received: s.rowsRead,
      accepted: s.rowsRead - s.implausible,
      dropped: s.implausible ? { implausible_bytes: s.implausible } : ({} as Record<string, number>),
      bytesAttributed: s.inBytes + s.outBytes,
      bytesUnattributed: s.unattributedBytes,
      lastSuccessAt: s.lastSuccessAt,
      lastError: s.lastError,
      lastErrorAt: s.lastErrorAt,
      details: { radius_server_id: server.id, up: s.status === 'UP' ? 1 : 0, polls: s.polls, errors: s.errors },
    }));
  }

  private async reload(): Promise<void> {
    const servers = await this.deps.servers.importable();
    const wanted = new Map(servers.map((s) => [s.id, s]));
    const retired: RadacctImporter[] = [];
    for (const [id, entry] of this.running) {
      const server = wanted.get(id);
      if (server && settingsOf(server) === entry.settings) continue;
      this.running.delete(id);
      retired.push(entry.importer);
    }
    // Stopped before their replacements start: one importer per server at a time.
    await Promise.all(retired.map((importer) => importer.stop()));
    for (const server of servers) {
      if (this.running.has(server.id)) continue;
      const { dataSource, attribution, ledger, logger, recordLimit } = this.deps;
      const importer = new RadacctImporter(
        { id: server.id, name: server.name },
        openRadacctReader(server, this.options),
        { dataSource, attribution, ledger, logger, recordLimit, metrics: this.metrics, recordOutcome: (id, outcome) => this.deps.servers.recordOutcome(id, outcome) },
        this.options,
      );
      this.running.set(server.id, { importer, settings: settingsOf(server) });
      importer.start();
    }
  }
}
