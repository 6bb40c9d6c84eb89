import { Pool } from 'pg';
import { ListenedClient } from '../../db/listened-client';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { Attribution } from '../../attribution/attribution';
import type { Ledger, UsageIncrement } from '../../usage/ledger';
import { defaultRecordByteLimit, RecordByteLimit } from '../../usage/plausible-bytes';
import { RADIUS_SOURCE_PARENT } from './radius-accounting.store';
import { RadiusMetrics } from './radius.metrics';

export interface RadacctImporterOptions {
  /** postgres:// URL of the FreeRADIUS database holding `radacct`. */
  databaseUrl: string;
  pollIntervalMs: number;
  /** Rows per transaction. */
  batchSize: number;
  /** Rows whose update/stop time is this recent are re-read every poll (late updates of closed sessions). */
  overlapMs: number;
  /** Checkpoint name, so two radacct sources keep separate progress. */
  source: string;
}

/** One radacct row as the importer reads it. Octets are cumulative since the session's start. */
export interface RadacctRow {
  radacctid: string;
  acctuniqueid: string;
  username: string | null;
  nas: string | null;
  start_ms: number | null;
  update_ms: number | null;
  stop_ms: number | null;
  input_octets: string | null;
  output_octets: string | null;
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

const ROW_COLUMNS = `radacctid::text AS radacctid, acctuniqueid, username, host(nasipaddress) AS nas,
  (extract(epoch from acctstarttime) * 1000)::float8 AS start_ms,
  (extract(epoch from acctupdatetime) * 1000)::float8 AS update_ms,
  (extract(epoch from acctstoptime) * 1000)::float8 AS stop_ms,
  acctinputoctets::text AS input_octets, acctoutputoctets::text AS output_octets`;

/**
 * Sonar's documented RADIUS method: read FreeRADIUS's `radacct` table and credit what it
 * says minus what was already credited per `acctuniqueid` (state kept in
 * radacct_import_sessions, updated in the same transaction as the ledger, so a crash
 * between the two cannot double count). Each poll reads:
 *   - rows inserted since the checkpoint (highest radacctid seen): new sessions,
 *   - every open row (acctstoptime IS NULL): interim growth,
 *   - sessions we still think open: their final Stop snapshot,
 *   - rows updated or stopped within `overlapMs`: late corrections.
 * Re-reads are harmless, so none of these needs to be exact about time.
 */
export class RadacctImporter {
  readonly metrics: RadiusMetrics;
  private pool: Pool | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;
  lastError: string | null = null;
  lastErrorAt: Date | null = null;
  lastSuccessAt: Date | null = null;

  constructor(
    private readonly options: RadacctImporterOptions,
    private readonly dataSource: DataSource,
    private readonly attribution: Attribution,
    private readonly ledger: Ledger,
    private readonly logger?: Logger,
    metrics?: RadiusMetrics,
    private readonly limit: RecordByteLimit = defaultRecordByteLimit,
  ) {
    this.metrics = metrics ?? new RadiusMetrics();
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.pool = new Pool({
      connectionString: this.options.databaseUrl,
      max: 2,
      connectionTimeoutMillis: 5000,
      application_name: 'usage-meter-radacct',
      Client: ListenedClient,
    });
    this.pool.on('error', (err) => this.logger?.warn({ err: err.message }, 'radacct connection error'));
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => {});
    const pool = this.pool;
    this.pool = null;
    await pool?.end();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pollOnce()
        .catch((err: Error) => {
          this.metrics.radacctErrors++;
          this.lastError = err.message;
          this.lastErrorAt = new Date();
          this.logger?.warn({ err: err.message }, 'radacct import failed; will retry');
        })
        .finally(() => {
          this.running = null;
          this.schedule(this.options.pollIntervalMs);
        });
    }, delayMs);
    this.timer.unref?.();
  }

  /**
   * One full pass. Exposed for tests and for an on-demand import. Passes never overlap:
   * two at once would both see a new session as uncredited.
   */
  pollOnce(): Promise<{ rows: number; inBytes: bigint; outBytes: bigint }> {
    const run = this.serial.then(() => this.poll());
    this.serial = run.catch(() => undefined);
    return run;
  }
  private serial: Promise<unknown> = Promise.resolve();

  private async poll(): Promise<{ rows: number; inBytes: bigint; outBytes: bigint }> {
    const pool = this.pool;
    if (!pool) throw new Error('radacct importer is not started');
    const source = this.options.source;
    const [checkpoint] = await this.dataSource.query(`SELECT last_radacctid::text AS last FROM radacct_import_checkpoints WHERE source = $1`, [source]);
    let lastId = BigInt(checkpoint?.last ?? '0');
    const openRows: Array<{ acctuniqueid: string }> = await this.dataSource.query(`SELECT acctuniqueid FROM radacct_import_sessions WHERE NOT closed`);
    const known = openRows.map((r) => r.acctuniqueid);

    const rows = new Map<string, RadacctRow>();
    const add = (list: RadacctRow[]) => {
      for (const r of list) rows.set(r.acctuniqueid, r);
    };
    // Sessions we saw open (their final snapshots), then in one statement the open sessions
    // (growth) and the recent changes (late corrections).
    if (known.length) add((await pool.query<RadacctRow>(`SELECT ${ROW_COLUMNS} FROM radacct WHERE acctuniqueid = ANY($1::text[]) AND acctstoptime IS NOT NULL`, [known])).rows);
    add((await pool.query<RadacctRow>(
      `SELECT ${ROW_COLUMNS} FROM radacct
        WHERE radacctid <= $1
          AND (acctstoptime IS NULL OR acctupdatetime >= now() - $2 * interval '1 millisecond' OR acctstoptime >= now() - $2 * interval '1 millisecond')`,
      [lastId.toString(), this.options.overlapMs],
    )).rows);
    let total = { rows: 0, inBytes: 0n, outBytes: 0n };
    const existing = [...rows.values()];
    for (let i = 0; i < existing.length; i += this.options.batchSize) {
      const r = await this.credit(existing.slice(i, i + this.options.batchSize), null);
      total = { rows: total.rows + r.rows, inBytes: total.inBytes + r.inBytes, outBytes: total.outBytes + r.outBytes };
    }
    // New sessions since the checkpoint, in radacctid order, checkpointed batch by batch.
    for (;;) {
      const fresh = (await pool.query<RadacctRow>(`SELECT ${ROW_COLUMNS} FROM radacct WHERE radacctid > $1 ORDER BY radacctid LIMIT $2`, [lastId.toString(), this.options.batchSize])).rows;
      if (!fresh.length) break;
      lastId = BigInt(fresh[fresh.length - 1].radacctid);
      const r = await this.credit(fresh, lastId);
      total = { rows: total.rows + r.rows, inBytes: total.inBytes + r.inBytes, outBytes: total.outBytes + r.outBytes };
      if (fresh.length < this.options.batchSize) break;
    }
    await this.dataSource.query(
      `INSERT INTO radacct_import_checkpoints (source, last_poll_at) VALUES ($1, now())
       ON CONFLICT (source) DO UPDATE SET last_poll_at = now(), updated_at = now(), version = radacct_import_checkpoints.version + 1`,
      [source],
    );
    this.metrics.radacctPolls++;
    this.lastSuccessAt = new Date();
    return total;
  }

  /**
   * Credits one batch of rows and (optionally) moves the checkpoint, in one transaction. The
   * counters move only once it committed: a failed batch is read again at the next poll.
   */
  private async credit(rows: RadacctRow[], checkpoint: bigint | null): Promise<{ rows: number; inBytes: bigint; outBytes: bigint }> {
    const result = await this.dataSource.transaction(async (manager: EntityManager) => {
      const ids = rows.map((r) => r.acctuniqueid);
      const creditedRows: Array<{ acctuniqueid: string; i: string; o: string; closed: boolean }> = ids.length
        ? await manager.query(
            `SELECT acctuniqueid, credited_input_octets::text AS i, credited_output_octets::text AS o, closed
               FROM radacct_import_sessions WHERE acctuniqueid = ANY($1::text[]) FOR UPDATE`,
            [ids],
          )
        : [];
      const credited = new Map(creditedRows.map((c) => [c.acctuniqueid, { inputOctets: BigInt(c.i), outputOctets: BigInt(c.o), closed: c.closed }]));
      const usage: UsageIncrement[] = [];
      const next: Array<{ id: string; credit: RadacctCredit; closed: boolean }> = [];
      let inBytes = 0n;
      let outBytes = 0n;
      let unattributedBytes = 0n;
      const implausible: string[] = [];
      for (const row of rows) {
        const before = credited.get(row.acctuniqueid);
        const { up, down, next: credit } = radacctDelta(before, row);
        const closed = row.stop_ms !== null;
        // A row re-read within the overlap window with nothing new is not written again.
        if (up === 0n && down === 0n && before?.closed === closed) continue;
        const atMs = row.stop_ms ?? row.update_ms ?? row.start_ms ?? Date.now();
        if (!this.plausible(up, down, atMs, row.start_ms)) {
          // Not credited and not taken as credited: a later plausible snapshot credits from the last good one.
          implausible.push(row.nas ?? 'radacct');
          continue;
        }
        next.push({ id: row.acctuniqueid, credit, closed });
        if (up === 0n && down === 0n) continue;
        const accountId = row.username !== null ? this.attribution.accountForUsername(row.username, atMs) : null;
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
          `INSERT INTO radacct_import_sessions (acctuniqueid, credited_input_octets, credited_output_octets, closed)
           SELECT * FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::boolean[])
           ON CONFLICT (acctuniqueid) DO UPDATE SET credited_input_octets = EXCLUDED.credited_input_octets,
             credited_output_octets = EXCLUDED.credited_output_octets, closed = EXCLUDED.closed,
             updated_at = now(), version = radacct_import_sessions.version + 1`,
          [next.map((n) => n.id), next.map((n) => n.credit.inputOctets.toString()), next.map((n) => n.credit.outputOctets.toString()), next.map((n) => n.closed)],
        );
      }
      if (usage.length) await this.ledger.record(manager, usage, []);
      if (checkpoint !== null) {
        await manager.query(
          `INSERT INTO radacct_import_checkpoints (source, last_radacctid, rows_imported) VALUES ($1, $2, $3)
           ON CONFLICT (source) DO UPDATE SET last_radacctid = greatest(radacct_import_checkpoints.last_radacctid, EXCLUDED.last_radacctid),
             rows_imported = radacct_import_checkpoints.rows_imported + EXCLUDED.rows_imported,
             updated_at = now(), version = radacct_import_checkpoints.version + 1`,
          [this.options.source, checkpoint.toString(), rows.length],
        );
      }
      return { rows: rows.length, inBytes, outBytes, unattributedBytes, implausible };
    });
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
    return this.limit.plausibleBytes(up, 1, seconds) !== null && this.limit.plausibleBytes(down, 1, seconds) !== null;
  }
}
