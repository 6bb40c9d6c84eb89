import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { Attribution } from '../../attribution/attribution';
import type { RadiusServerOutcome } from '../../radius/radius-server.service';
import type { Ledger, UsageIncrement } from '../../usage/ledger';
import type { RadacctReader, RadacctRow } from './radacct.reader';
import { defaultRecordByteLimit, RecordByteLimit } from '../../usage/plausible-bytes';
import { RADIUS_SOURCE_PARENT } from './radius-accounting.store';
import { RadiusMetrics } from './radius.metrics';

export interface RadacctImporterOptions {
  pollIntervalMs: number;
  /** Rows per transaction. */
  batchSize: number;
  /** Rows whose update/stop time is this recent are re-read every poll (late updates of closed sessions). */
  overlapMs: number;
}

/** The RadiusServer an importer reads: its id keys the checkpoint, its name labels ingest_status. */
export interface RadacctServer {
  id: number;
  name: string;
}

export interface RadacctImporterDeps {
  dataSource: DataSource;
  attribution: Attribution;
  ledger: Ledger;
  logger?: Logger;
  /** Totals over every server, for /metrics. */
  metrics?: RadiusMetrics;
  /** The edge rule for the bytes a row credits (default: USAGE_MAX_BITS_PER_SECOND's default). */
  recordLimit?: RecordByteLimit;
  /** Stores each poll's outcome on the RadiusServer (status, status_message, last_synchronized). */
  recordOutcome?: (serverId: number, outcome: RadiusServerOutcome) => Promise<void>;
}

/** What ingest_status shows for one server, since this importer started. */
export interface RadacctImportStatus {
  status: 'UP' | 'DOWN' | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  polls: number;
  errors: number;
  rowsRead: number;
  /** Rows not credited because their bytes were implausible (counted at every poll that reads them). */
  implausible: number;
  inBytes: bigint;
  outBytes: bigint;
  unattributedBytes: bigint;
}

export interface RadacctCredit {
  inputOctets: bigint;
  outputOctets: bigint;
}

/**
 * What a radacct snapshot adds to what was already credited for its session: the positive
 * difference per direction. radacct only ever holds the latest cumulative snapshot, so
 * re-reading a row yields 0, and a later snapshot yields only the growth.
 */
export function radacctDelta(credited: RadacctCredit | undefined, row: Pick<RadacctRow, 'input_octets' | 'output_octets'>): { up: bigint; down: bigint; next: RadacctCredit } {
  const input = BigInt(row.input_octets ?? '0');
  const output = BigInt(row.output_octets ?? '0');
  const prevIn = credited?.inputOctets ?? 0n;
  const prevOut = credited?.outputOctets ?? 0n;
  const up = input > prevIn ? input - prevIn : 0n;
  const down = output > prevOut ? output - prevOut : 0n;
  return { up, down, next: { inputOctets: prevIn + up, outputOctets: prevOut + down } };
}

type PollTotals = { rows: number; inBytes: bigint; outBytes: bigint };

/**
 * Sonar's documented RADIUS method, for one RadiusServer: read FreeRADIUS's `radacct` table and
 * credit what it says minus what was already credited per `acctuniqueid` (state kept in
 * radacct_import_sessions, updated in the same transaction as the ledger, so a crash between
 * the two cannot double count). Each poll first checks that radacct has the columns it reads,
 * then reads:
 *   - every open row and rows updated or stopped within `overlapMs`: interim growth, late corrections,
 *   - the sessions this server credited while open that are not among those: their final Stop snapshot,
 *   - rows inserted since the checkpoint (highest radacctid seen): new sessions.
 * Re-reads are harmless, so none of these needs to be exact about time. The reader is the
 * engine's (PostgreSQL or MySQL/MariaDB); everything else is the same for both.
 */
export class RadacctImporter {
  readonly status: RadacctImportStatus = {
    status: null,
    lastSuccessAt: null,
    lastError: null,
    lastErrorAt: null,
    polls: 0,
    errors: 0,
    rowsRead: 0,
    implausible: 0,
    inBytes: 0n,
    outBytes: 0n,
    unattributedBytes: 0n,
  };
  private readonly metrics: RadiusMetrics;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    readonly server: RadacctServer,
    readonly reader: RadacctReader,
    private readonly deps: RadacctImporterDeps,
    private readonly options: RadacctImporterOptions,
  ) {
    this.metrics = deps.metrics ?? new RadiusMetrics();
  }

  /** Polls now, then every pollIntervalMs until stop(). */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Waits for a poll in flight, then closes the connections to the server's database. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => {});
    await this.serial;
    await this.reader.close().catch(() => {});
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pollOnce()
        .catch(() => {}) // recorded by pollOnce
        .finally(() => {
          this.running = null;
          this.schedule(this.options.pollIntervalMs);
        });
    }, delayMs);
    this.timer.unref?.();
  }

  /**
   * One full pass, its outcome recorded (status, error, last synchronized). Exposed for tests and
   * for an on-demand import. Passes never overlap: two at once would both see a new session as
   * uncredited.
   */
  pollOnce(): Promise<PollTotals> {
    const run = this.serial.then(() => this.pollAndRecord());
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async pollAndRecord(): Promise<PollTotals> {
    let outcome: RadiusServerOutcome;
    try {
      const totals = await this.poll();
      outcome = { status: 'UP', at: new Date() };
      Object.assign(this.status, { status: 'UP', lastSuccessAt: outcome.at, polls: this.status.polls + 1 });
      this.metrics.radacctPolls++;
      await this.recordOutcome(outcome);
      return totals;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcome = { status: 'DOWN', message };
      Object.assign(this.status, { status: 'DOWN', lastError: message, lastErrorAt: new Date(), errors: this.status.errors + 1 });
      this.metrics.radacctErrors++;
      this.deps.logger?.warn({ radius_server_id: this.server.id, err: message }, 'radacct import failed; will retry');
      await this.recordOutcome(outcome);
      throw error;
    }
  }

  private async recordOutcome(outcome: RadiusServerOutcome): Promise<void> {
    try {
      await this.deps.recordOutcome?.(this.server.id, outcome);
    } catch (error) {
      this.deps.logger?.warn({ radius_server_id: this.server.id, err: (error as Error).message }, 'could not store the RadiusServer status');
    }
  }

  private async poll(): Promise<PollTotals> {
    const { dataSource } = this.deps;
    const reader = this.reader;
    const serverId = this.server.id;
    await reader.checkTable();
    const [checkpoint] = await dataSource.query(`SELECT last_radacctid::text AS last, endpoint FROM radacct_import_checkpoints WHERE radius_server_id = $1`, [serverId]);
    // radacctid numbers belong to one database: pointed at another, the server reads it from the start.
    let lastId = checkpoint?.endpoint === reader.endpoint ? BigInt(checkpoint.last) : 0n;

    const rows = new Map<string, RadacctRow>();
    for (const row of await reader.openOrRecent(lastId, this.options.overlapMs)) rows.set(row.acctuniqueid, row);
    const openHere: Array<{ acctuniqueid: string }> = await dataSource.query(
      `SELECT acctuniqueid FROM radacct_import_sessions WHERE radius_server_id = $1 AND NOT closed`,
      [serverId],
    );
    const closedSince = openHere.map((r) => r.acctuniqueid).filter((id) => !rows.has(id));
    for (const row of await reader.stoppedAmong(closedSince)) rows.set(row.acctuniqueid, row);

    let total: PollTotals = { rows: 0, inBytes: 0n, outBytes: 0n };
    const add = (r: PollTotals) => (total = { rows: total.rows + r.rows, inBytes: total.inBytes + r.inBytes, outBytes: total.outBytes + r.outBytes });
    const existing = [...rows.values()];
    for (let i = 0; i < existing.length; i += this.options.batchSize) add(await this.credit(existing.slice(i, i + this.options.batchSize), null));
    // New sessions since the checkpoint, in radacctid order, checkpointed batch by batch.
    for (;;) {
      const fresh = await reader.after(lastId, this.options.batchSize);
      if (!fresh.length) break;
      lastId = BigInt(fresh[fresh.length - 1].radacctid);
      add(await this.credit(fresh, lastId));
      if (fresh.length < this.options.batchSize) break;
    }
    await dataSource.query(
      `INSERT INTO radacct_import_checkpoints (radius_server_id, endpoint, last_poll_at) VALUES ($1, $2, now())
       ON CONFLICT (radius_server_id) DO UPDATE SET last_poll_at = now(),
         last_radacctid = CASE WHEN radacct_import_checkpoints.endpoint = EXCLUDED.endpoint THEN radacct_import_checkpoints.last_radacctid ELSE 0 END,
         endpoint = EXCLUDED.endpoint, updated_at = now(), version = radacct_import_checkpoints.version + 1`,
      [serverId, reader.endpoint],
    );
    return total;
  }

  /**
   * Credits one batch of rows and (optionally) moves the checkpoint, in one transaction. The
   * counters move only once it committed: a failed batch is read again at the next poll.
   */
  private async credit(rows: RadacctRow[], checkpoint: bigint | null): Promise<PollTotals> {
    const serverId = this.server.id;
    const result = await this.deps.dataSource.transaction(async (manager: EntityManager) => {
      // Sorted, so every transaction takes its session locks in one order (no deadlock between
      // servers or processes). Rows created first, then locked: an importer crediting the same
      // session at the same time (another server that logged it too, another process) waits for
      // this transaction and then reads what it credited.
      const ids = [...new Set(rows.map((r) => r.acctuniqueid))].sort();
      await manager.query(
        `INSERT INTO radacct_import_sessions (acctuniqueid, radius_server_id) SELECT id, $2::bigint FROM unnest($1::text[]) AS id ON CONFLICT (acctuniqueid) DO NOTHING`,
        [ids, serverId],
      );
      const stateRows: Array<{ acctuniqueid: string; i: string; o: string; closed: boolean; owner: string | null }> = await manager.query(
        `SELECT acctuniqueid, credited_input_octets::text AS i, credited_output_octets::text AS o, closed, radius_server_id::text AS owner
           FROM radacct_import_sessions WHERE acctuniqueid = ANY($1::text[]) ORDER BY acctuniqueid FOR UPDATE`,
        [ids],
      );
      const state = new Map(stateRows.map((s) => [s.acctuniqueid, { inputOctets: BigInt(s.i), outputOctets: BigInt(s.o), closed: s.closed, owner: s.owner }]));
      const usage: UsageIncrement[] = [];
      const next: Array<{ id: string; credit: RadacctCredit; closed: boolean }> = [];
      let inBytes = 0n;
      let outBytes = 0n;
      let unattributedBytes = 0n;
      const implausible: string[] = [];
      for (const row of rows) {
        const before = state.get(row.acctuniqueid)!;
        const { up, down, next: credit } = radacctDelta(before, row);
        // Once any server saw the Stop, the session stays closed (a server that missed it holds a stale open row).
        const closed = before.closed || row.stop_ms !== null;
        // Nothing new: not written again. An open session is also taken over by this server, which reads it until it closes.
        if (up === 0n && down === 0n && closed === before.closed && (closed || before.owner === String(serverId))) continue;
        const atMs = row.stop_ms ?? row.update_ms ?? row.start_ms ?? Date.now();
        if (!this.plausible(up, down, atMs, row.start_ms)) {
          // Not credited and not taken as credited: a later plausible snapshot credits from the last good one.
          implausible.push(row.nas ?? 'radacct');
          continue;
        }
        next.push({ id: row.acctuniqueid, credit, closed });
        if (up === 0n && down === 0n) continue;
        const accountId = row.username !== null ? this.deps.attribution.accountForUsername(row.username, atMs) : null;
        if (accountId === null) {
          unattributedBytes += up + down;
          continue;
        }
        usage.push({ accountId, source: { parent: RADIUS_SOURCE_PARENT, identifier: row.nas ?? 'radacct' }, timeMs: atMs, inBytes: down, outBytes: up });
        inBytes += down;
        outBytes += up;
      }
      if (next.length) {
        await manager.query(
          `UPDATE radacct_import_sessions s SET credited_input_octets = n.i, credited_output_octets = n.o, closed = n.closed,
             radius_server_id = $5::bigint, updated_at = now(), version = s.version + 1
             FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::boolean[]) AS n(id, i, o, closed)
            WHERE s.acctuniqueid = n.id`,
          [next.map((n) => n.id), next.map((n) => n.credit.inputOctets.toString()), next.map((n) => n.credit.outputOctets.toString()), next.map((n) => n.closed), serverId],
        );
      }
      if (usage.length) await this.deps.ledger.record(manager, usage, []);
      if (checkpoint !== null) {
        await manager.query(
          `INSERT INTO radacct_import_checkpoints (radius_server_id, endpoint, last_radacctid, rows_imported) VALUES ($1, $2, $3, $4)
           ON CONFLICT (radius_server_id) DO UPDATE SET
             last_radacctid = CASE WHEN radacct_import_checkpoints.endpoint = EXCLUDED.endpoint
                                   THEN greatest(radacct_import_checkpoints.last_radacctid, EXCLUDED.last_radacctid) ELSE EXCLUDED.last_radacctid END,
             endpoint = EXCLUDED.endpoint,
             rows_imported = radacct_import_checkpoints.rows_imported + EXCLUDED.rows_imported,
             updated_at = now(), version = radacct_import_checkpoints.version + 1`,
          [serverId, this.reader.endpoint, checkpoint.toString(), rows.length],
        );
      }
      return { rows: rows.length, inBytes, outBytes, unattributedBytes, implausible };
    });
    this.status.rowsRead += result.rows;
    this.status.implausible += result.implausible.length;
    this.status.inBytes += result.inBytes;
    this.status.outBytes += result.outBytes;
    this.status.unattributedBytes += result.unattributedBytes;
    this.metrics.radacctRowsRead += result.rows;
    this.metrics.radacctImplausible += result.implausible.length;
    for (const nas of result.implausible) this.metrics.dropImplausible(nas);
    this.metrics.radacctInBytes += result.inBytes;
    this.metrics.radacctOutBytes += result.outBytes;
    this.metrics.radacctUnattributedBytes += result.unattributedBytes;
    return result;
  }

  /** The edge rule every source applies (plausible-bytes.ts): a delta is at most what the session could have carried since it started. */
  private plausible(up: bigint, down: bigint, atMs: number, startMs: number | null): boolean {
    const seconds = startMs === null ? 0 : (atMs - startMs) / 1000;
    const limit = this.deps.recordLimit ?? defaultRecordByteLimit;
    return limit.plausibleBytes(up, 1, seconds) !== null && limit.plausibleBytes(down, 1, seconds) !== null;
  }
}
