import type { DataSource, EntityManager } from 'typeorm';
import type { Ledger, UnattributedIncrement, UsageIncrement } from '../usage/ledger';
import { AcceptedClaim, IntervalClaim, planClaims } from './interval-claims';
import type { TimeRange } from './time-ranges';

export interface CreditBatch<T> {
  /** Which poller's checkpoint: 'preseem', 'saisei:<device id>'. */
  sourceKey: string;
  claims: IntervalClaim<T>[];
  /**
   * The end of the time this poll asked the device for (SaiSei: the window's end; Preseem: the
   * `end` it sent). The checkpoint moves here (never back), and nothing past it is credited: the
   * checkpoint follows what was asked, never what a device claims, so one record reaching into
   * the future cannot make the next poll skip time.
   */
  askedUntilMs: number;
  /** Claims ending at or before this are refused: their credited ranges may have been pruned. */
  notBeforeMs?: number;
  /**
   * Turns the accepted claims into ledger rows. Runs inside the transaction: use only `manager`
   * for any query (PGlite lends its one connection to the transaction).
   */
  toUsage(accepted: AcceptedClaim<T>[], manager: EntityManager): Promise<UsagePlan> | UsagePlan;
}

export interface UsagePlan {
  usage: UsageIncrement[];
  unattributed: UnattributedIncrement[];
  /** Records that matched no account (with or without an address to report). */
  unattributedRecords: number;
}

export interface CreditOutcome {
  intervalsCredited: number;
  duplicates: number;
  overlaps: number;
  tooOld: number;
  /** Claims with nothing to credit before askedUntilMs: left for a later poll. */
  unfinished: number;
  recordsUnattributed: number;
  /** The checkpoint row as this transaction left it (from its UPDATE ... RETURNING). */
  checkpoint: CheckpointRow;
  /** What was written to the ledger (committed when credit() resolves). */
  bytesAttributed: bigint;
  bytesUnattributed: bigint;
}

export interface CheckpointRow {
  lastIntervalEndMs: number | null;
  intervalsCredited: bigint;
  recordsUnattributed: bigint;
}

/**
 * The one write path of the appliance pollers: decides what is new (planClaims), writes it to
 * the ledger, records it as credited and advances the checkpoint, all in ONE transaction. The
 * checkpoint row is locked first, so two polls of the same source (a retry racing a slow poll,
 * a second process) serialize and the second sees what the first credited.
 */
export class IntervalCreditor {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: Ledger,
  ) {}

  async checkpoint(sourceKey: string): Promise<CheckpointRow | null> {
    const rows: CheckpointColumns[] = await this.dataSource.query(
      `SELECT ${CHECKPOINT_COLUMNS} FROM appliance_checkpoints WHERE source_key = $1`,
      [sourceKey],
    );
    return rows[0] ? toCheckpointRow(rows[0]) : null;
  }

  async credit<T>(batch: CreditBatch<T>): Promise<CreditOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const key = batch.sourceKey;
      await manager.query(`INSERT INTO appliance_checkpoints (source_key) VALUES ($1) ON CONFLICT (source_key) DO NOTHING`, [key]);
      await manager.query(`SELECT 1 FROM appliance_checkpoints WHERE source_key = $1 FOR UPDATE`, [key]);

      const series = [...new Set(batch.claims.map((c) => c.series))];
      const credited = new Map<string, TimeRange[]>();
      if (series.length > 0) {
        const rows: Array<{ series: string; start_ms: string; end_ms: string }> = await manager.query(
          `SELECT series, start_ms, end_ms FROM appliance_credited_ranges
            WHERE source_key = $1 AND series IN (SELECT jsonb_array_elements_text($2::jsonb))`,
          [key, JSON.stringify(series)],
        );
        for (const row of rows) {
          const list = credited.get(row.series) ?? [];
          list.push({ startMs: Number(row.start_ms), endMs: Number(row.end_ms) });
          credited.set(row.series, list);
        }
      }

      const plan = planClaims(credited, batch.claims, { notBeforeMs: batch.notBeforeMs, askedUntilMs: batch.askedUntilMs });
      const usagePlan = plan.accepted.length > 0 ? await batch.toUsage(plan.accepted, manager) : { usage: [], unattributed: [], unattributedRecords: 0 };

      if (batch.notBeforeMs !== undefined && Number.isFinite(batch.notBeforeMs)) {
        await manager.query(`DELETE FROM appliance_credited_ranges WHERE source_key = $1 AND end_ms <= $2`, [key, batch.notBeforeMs]);
      }
      if (plan.changed.size > 0) {
        const changedSeries = [...plan.changed.keys()];
        const rows = [...plan.changed].flatMap(([s, ranges]) => ranges.map((r) => ({ series: s, s: r.startMs, e: r.endMs })));
        await manager.query(
          `DELETE FROM appliance_credited_ranges WHERE source_key = $1 AND series IN (SELECT jsonb_array_elements_text($2::jsonb))`,
          [key, JSON.stringify(changedSeries)],
        );
        await manager.query(
          `INSERT INTO appliance_credited_ranges (source_key, series, start_ms, end_ms)
           SELECT $1, x.series, x.s, x.e FROM jsonb_to_recordset($2::jsonb) AS x(series text, s int8, e int8)`,
          [key, JSON.stringify(rows)],
        );
      }
      if (usagePlan.usage.length > 0 || usagePlan.unattributed.length > 0) {
        await this.ledger.record(manager, usagePlan.usage, usagePlan.unattributed);
      }

      // Wrapped in a SELECT: for a bare UPDATE ... RETURNING, TypeORM returns [rows, count], not the rows.
      const updated: CheckpointColumns[] = await manager.query(
        `WITH updated AS (
           UPDATE appliance_checkpoints
              SET last_interval_end_ms = GREATEST(last_interval_end_ms, $2::int8),
                  intervals_credited = intervals_credited + $3,
                  records_unattributed = records_unattributed + $4,
                  updated_at = now()
            WHERE source_key = $1
            RETURNING ${CHECKPOINT_COLUMNS})
         SELECT ${CHECKPOINT_COLUMNS} FROM updated`,
        [key, batch.askedUntilMs, plan.accepted.length, usagePlan.unattributedRecords],
      );
      return {
        intervalsCredited: plan.accepted.length,
        duplicates: plan.duplicates,
        overlaps: plan.overlaps,
        tooOld: plan.tooOld,
        unfinished: plan.unfinished,
        recordsUnattributed: usagePlan.unattributedRecords,
        checkpoint: toCheckpointRow(updated[0]),
        bytesAttributed: usagePlan.usage.reduce((sum, u) => sum + u.inBytes + u.outBytes, 0n),
        bytesUnattributed: usagePlan.unattributed.reduce((sum, u) => sum + u.inBytes + u.outBytes, 0n),
      };
    });
  }
}

const CHECKPOINT_COLUMNS = 'last_interval_end_ms, intervals_credited, records_unattributed';

interface CheckpointColumns {
  last_interval_end_ms: string | null;
  intervals_credited: string;
  records_unattributed: string;
}

function toCheckpointRow(row: CheckpointColumns): CheckpointRow {
  return {
    lastIntervalEndMs: row.last_interval_end_ms === null ? null : Number(row.last_interval_end_ms),
    intervalsCredited: BigInt(row.intervals_credited),
    recordsUnattributed: BigInt(row.records_unattributed),
  };
}

/** Which of these account ids exist (accounts are archived, never deleted). Inside a transaction: pass its manager. */
export async function existingAccountIds(manager: EntityManager, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows: Array<{ id: string }> = await manager.query(
    `SELECT id FROM accounts WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::int8)`,
    [JSON.stringify([...new Set(ids)])],
  );
  return new Set(rows.map((r) => Number(r.id)));
}
