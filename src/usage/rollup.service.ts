import type { DataSource, EntityManager } from 'typeorm';
import type { LedgerConfig } from '../config';
import type { Logger } from '../logger';
import { floorLocalHour, startOfLocalDay, TIME } from './time-zone';

/**
 * Moves old rows to coarser tiers: 5-minute buckets older than the fine retention into local-hour
 * buckets, hour buckets older than the hourly retention into local-day buckets; deletes what is
 * past the daily (and unattributed) retention. Each move is one statement (DELETE ... RETURNING
 * feeding an additive upsert), so a byte is always in exactly one tier and writers may keep
 * writing meanwhile (a late row for an old bucket is simply moved on the next run).
 *
 * The hour key is computed exactly as the readers compute it (t - ((t + utc offset) mod 1 h), the
 * offset taken in the service zone via SET LOCAL timezone), the day key with date_trunc in that zone.
 */
export class LedgerRollup {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LedgerConfig,
    private readonly timeZone: string,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => void this.runOnce().catch((err) => this.logger?.error({ err }, 'ledger rollup failed')), this.config.rollupIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** One pass; `now` is injectable for tests. Returns how many rows each step moved. */
  async runOnce(now = Date.now()): Promise<{ toHour: number; toDay: number }> {
    if (this.running) await this.running.catch(() => {});
    const run = this.pass(now);
    this.running = run.then(() => {});
    return run;
  }

  private async pass(now: number): Promise<{ toHour: number; toDay: number }> {
    const fineCutoff = floorLocalHour(this.timeZone, now - this.config.fineRetentionHours * TIME.HOUR);
    const hourCutoff = startOfLocalDay(this.timeZone, now - this.config.hourlyRetentionDays * TIME.DAY);
    let toHour = 0;
    let toDay = 0;
    await this.dataSource.transaction(async (m) => {
      await this.setZone(m);
      toHour += await this.move(m, 'usage_5m', 'usage_1h', HOUR_KEY, fineCutoff, USAGE_COLS);
      toHour += await this.move(m, 'unattributed_5m', 'unattributed_1h', HOUR_KEY, fineCutoff, UNATTRIBUTED_COLS);
    });
    await this.dataSource.transaction(async (m) => {
      await this.setZone(m);
      toDay += await this.move(m, 'usage_1h', 'usage_1d', DAY_KEY, hourCutoff, USAGE_COLS);
      toDay += await this.move(m, 'unattributed_1h', 'unattributed_1d', DAY_KEY, hourCutoff, UNATTRIBUTED_COLS);
    });
    const iso = (ms: number) => new Date(ms).toISOString();
    if (this.config.dailyRetentionDays > 0) {
      await this.dataSource.query(`DELETE FROM usage_1d WHERE bucket < $1`, [iso(now - this.config.dailyRetentionDays * TIME.DAY)]);
    }
    const unattributedCutoff = iso(now - this.config.unattributedRetentionDays * TIME.DAY);
    for (const tier of ['5m', '1h', '1d']) {
      await this.dataSource.query(`DELETE FROM unattributed_${tier} WHERE bucket < $1`, [unattributedCutoff]);
    }
    return { toHour, toDay };
  }

  private async setZone(m: EntityManager): Promise<void> {
    // A zone name cannot be a bind parameter in SET; it was validated as an IANA name by the config.
    await m.query(`SET LOCAL timezone = '${this.timeZone.replace(/'/g, "''")}'`);
  }

  private async move(m: EntityManager, from: string, to: string, key: string, cutoff: number, cols: Columns): Promise<number> {
    const rows: { moved: string }[] = await m.query(
      `WITH moved AS (DELETE FROM ${from} WHERE bucket < $1 RETURNING *),
            grouped AS (
              SELECT ${cols.key}, ${key} AS bucket, ${cols.sums.map((c) => `sum(${c})::bigint AS ${c}`).join(', ')}
                FROM moved GROUP BY ${cols.key}, ${cols.key.split(',').length + 1} ORDER BY ${cols.key}, ${cols.key.split(',').length + 1}),
            upserted AS (
              INSERT INTO ${to} AS t (${cols.key}, bucket, ${cols.sums.join(', ')})
              SELECT * FROM grouped
              ON CONFLICT (${cols.conflict}) DO UPDATE SET ${cols.sums.map((c) => `${c} = t.${c} + excluded.${c}`).join(', ')}
              RETURNING 1)
       SELECT count(*)::text AS moved FROM upserted`,
      [new Date(cutoff).toISOString()],
    );
    return Number(rows[0]?.moved ?? 0);
  }
}

interface Columns {
  key: string;
  conflict: string;
  sums: string[];
}

const HOUR_KEY = `bucket - make_interval(secs => mod((extract(epoch from bucket) + extract(timezone from bucket))::numeric, 3600))`;
const DAY_KEY = `date_trunc('day', bucket)`;
const USAGE_COLS: Columns = {
  key: 'account_id, source_id',
  conflict: 'account_id, bucket, source_id',
  sums: ['in_bytes', 'out_bytes', 'free_in_bytes', 'free_out_bytes'],
};
const UNATTRIBUTED_COLS: Columns = { key: 'ip, source_id', conflict: 'ip, bucket, source_id', sums: ['in_bytes', 'out_bytes'] };
