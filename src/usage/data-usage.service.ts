import type { DataSource, EntityManager } from 'typeorm';
import type { LedgerConfig } from '../config';
import { preparedQuery } from '../db/prepared-query';
import { retryTransient } from '../db/sql-errors';
import { applySamples, CounterSample, CounterState } from './counter';
import type { UsageSource } from './ledger';
import { arrayLiteral, LedgerRow, ledgerRow, loadAccountsWithWindows, upsertUsageRows } from './ledger.service';
import { spreadDelta } from './spread';
import { resolveSourceIds, sourceKey } from './usage-sources';
import { INT64_MAX } from '../db/int64';

/** One row of Sonar's createDataUsages: running counters of one series at one time. */
export interface DataUsageSample {
  time: Date;
  inbytes: bigint;
  outbytes: bigint;
  account_id: bigint;
  data_source_identifier: string;
  data_source_parent: string;
}

export interface DataUsageResult {
  success: boolean;
  message: string;
}

const EARLIEST = Date.UTC(2000, 0, 1);
const MAX_LABEL = 255;
const MAX_PROBLEMS_LISTED = 20;
const PIECE_BUDGET = 500_000;

/** Checks one row on its own; returns what is wrong with it, or null. */
export function sampleProblem(row: DataUsageSample, nowMs: number, maxFutureSeconds: number): string | null {
  const problems: string[] = [];
  const t = row.time instanceof Date ? row.time.getTime() : NaN;
  if (!Number.isFinite(t)) problems.push('time is not a valid date');
  else if (t > nowMs + maxFutureSeconds * 1000) problems.push(`time ${row.time.toISOString()} is in the future`);
  else if (t < EARLIEST) problems.push(`time ${row.time.toISOString()} is before 2000`);
  if (row.account_id <= 0n || row.account_id > BigInt(Number.MAX_SAFE_INTEGER)) problems.push(`account_id ${row.account_id} is not a valid id`);
  for (const [name, value] of [['inbytes', row.inbytes], ['outbytes', row.outbytes]] as const) {
    if (value < 0n) problems.push(`${name} ${value} is negative`);
    else if (value > INT64_MAX) problems.push(`${name} ${value} does not fit in 64 bits`);
  }
  for (const [name, value] of [['data_source_parent', row.data_source_parent], ['data_source_identifier', row.data_source_identifier]] as const) {
    if (typeof value !== 'string' || value.trim() === '') problems.push(`${name} is empty`);
    else if (value.length > MAX_LABEL) problems.push(`${name} is longer than ${MAX_LABEL} characters`);
  }
  return problems.length ? problems.join(', ') : null;
}

function describeProblems(problems: string[]): string {
  const shown = problems.slice(0, MAX_PROBLEMS_LISTED).join('; ');
  const more = problems.length > MAX_PROBLEMS_LISTED ? `; and ${problems.length - MAX_PROBLEMS_LISTED} more` : '';
  return `Nothing was stored. ${problems.length} row(s) rejected: ${shown}${more}`;
}

const rowList = (rows: number[]) =>
  rows.length <= MAX_PROBLEMS_LISTED
    ? rows.map((r) => `input[${r}]`).join(', ')
    : `${rows.slice(0, MAX_PROBLEMS_LISTED).map((r) => `input[${r}]`).join(', ')} and ${rows.length - MAX_PROBLEMS_LISTED} more`;

interface SeriesKey {
  accountId: number;
  sourceId: number;
}

/**
 * Sonar's createDataUsages: running counters per series (account, parent, identifier), turned
 * into usage and spread over the time between samples. One transaction per call: the series'
 * state rows are locked (in key order), so concurrent calls on the same series serialize and a
 * re-sent batch finds its samples already applied.
 */
export class DataUsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: Pick<LedgerConfig, 'maxBatchRows' | 'maxFutureSeconds'>,
    private readonly timeZone: string,
  ) {}

  async createDataUsages(input: DataUsageSample[], nowMs = Date.now()): Promise<DataUsageResult> {
    if (input.length === 0) return { success: false, message: 'The batch is empty: send at least one row.' };
    if (input.length > this.config.maxBatchRows) {
      return {
        success: false,
        message: `The batch has ${input.length} rows; at most ${this.config.maxBatchRows} are accepted per call. Nothing was stored: split it.`,
      };
    }
    const problems: string[] = [];
    input.forEach((row, i) => {
      const problem = sampleProblem(row, nowMs, this.config.maxFutureSeconds);
      if (problem) problems.push(`input[${i}]: ${problem}`);
    });
    if (problems.length) return { success: false, message: describeProblems(problems) };

    // A deadlock with a concurrent call creating the same series (see lockSeries) is retried.
    return retryTransient(() => this.dataSource.transaction((manager) => this.store(manager, input)));
  }

  /** Applies a checked batch in the caller's transaction. */
  private async store(manager: EntityManager, input: DataUsageSample[]): Promise<DataUsageResult> {
    const accountIds = [...new Set(input.map((r) => Number(r.account_id)))];
    // One statement: which accounts exist, and the free windows of their policies.
    const { known, windows } = await loadAccountsWithWindows(manager, accountIds);
    const problems: string[] = [];
    input.forEach((row, i) => {
      if (!known.has(Number(row.account_id))) problems.push(`input[${i}]: account ${row.account_id} does not exist`);
    });
    if (problems.length) return { success: false, message: describeProblems(problems) };

    // Each row's source key once; resolveSourceIds then sees each distinct source once.
    const rowSourceKeys: string[] = [];
    const sources = new Map<string, UsageSource>();
    for (const row of input) {
      const source = { parent: row.data_source_parent, identifier: row.data_source_identifier };
      const key = sourceKey(source);
      rowSourceKeys.push(key);
      if (!sources.has(key)) sources.set(key, source);
    }
    const sourceIds = await resolveSourceIds(manager, sources.values());
    const series = new Map<string, { key: SeriesKey; samples: CounterSample[] }>();
    input.forEach((row, i) => {
      const key = { accountId: Number(row.account_id), sourceId: sourceIds.get(rowSourceKeys[i])! };
      const id = `${key.accountId}:${key.sourceId}`;
      const entry = series.get(id) ?? { key, samples: [] };
      entry.samples.push({ row: i, time: row.time.getTime(), inBytes: row.inbytes, outBytes: row.outbytes });
      series.set(id, entry);
    });
    const ordered = [...series.values()].sort((a, b) => a.key.accountId - b.key.accountId || a.key.sourceId - b.key.sourceId);
    const states = await lockSeries(manager, ordered.map((s) => s.key));

    // Bounded work per call whatever the gaps between samples: ~500 000 pieces at most.
    const maxPieces = Math.max(12, Math.floor(PIECE_BUDGET / input.length));
    const rows: LedgerRow[] = [];
    const updates: { key: SeriesKey; state: CounterState }[] = [];
    let applied = 0;
    const baselines: number[] = [];
    const duplicates: number[] = [];
    const stale: number[] = [];
    for (const s of ordered) {
      const before = states.get(`${s.key.accountId}:${s.key.sourceId}`) ?? null;
      const outcome = applySamples(before, s.samples);
      baselines.push(...outcome.baselines);
      duplicates.push(...outcome.duplicates);
      stale.push(...outcome.stale);
      applied += outcome.intervals.length;
      const accountWindows = windows.get(s.key.accountId) ?? [];
      for (const interval of outcome.intervals) {
        const pieces = spreadDelta(interval.from, interval.to, interval.inBytes, interval.outBytes, accountWindows, this.timeZone, maxPieces);
        for (const piece of pieces) rows.push(ledgerRow(s.key.accountId, s.key.sourceId, piece.bucket, piece, piece.free));
      }
      if (outcome.state && outcome.state !== before) updates.push({ key: s.key, state: outcome.state });
    }
    await saveSeries(manager, updates);
    await upsertUsageRows(manager, rows);

    const parts = [`Stored ${applied} sample(s) as usage`];
    if (baselines.length) parts.push(`${baselines.length} started a series (baseline, no usage of their own)`);
    if (duplicates.length) parts.push(`${duplicates.length} already received (ignored): ${rowList(duplicates.sort((a, b) => a - b))}`);
    if (stale.length) parts.push(`${stale.length} older than their series' latest sample, not applied: ${rowList(stale.sort((a, b) => a - b))}`);
    return { success: true, message: `${parts.join('; ')}.` };
  }
}

/**
 * Locks the series rows in key order and reads their stored state, creating the missing ones.
 * Concurrent calls on the same series queue here; calls on different series do not touch each
 * other. Series exist after their first sample, so the common case is the one SELECT ... FOR
 * UPDATE; only new series cost an INSERT and a second SELECT (separate, so that under READ
 * COMMITTED it sees, and waits for, rows a concurrent call inserted meanwhile). Locking in two
 * steps can deadlock with a concurrent call creating the same series; the caller retries then.
 */
async function lockSeries(manager: EntityManager, keys: SeriesKey[]): Promise<Map<string, CounterState>> {
  const rows = await selectSeriesForUpdate(manager, keys);
  if (rows.length < keys.length) {
    const found = new Set(rows.map((r) => `${Number(r.account_id)}:${Number(r.source_id)}`));
    const missing = keys.filter((k) => !found.has(`${k.accountId}:${k.sourceId}`));
    await manager.query(
      `INSERT INTO usage_series (account_id, source_id)
         SELECT * FROM unnest($1::bigint[], $2::int[])
       ON CONFLICT (account_id, source_id) DO NOTHING`,
      seriesParams(missing),
    );
    rows.push(...(await selectSeriesForUpdate(manager, missing)));
  }
  const states = new Map<string, CounterState>();
  for (const r of rows) {
    if (r.last_ms === null) continue;
    states.set(`${Number(r.account_id)}:${Number(r.source_id)}`, {
      time: Number(r.last_ms),
      inBytes: BigInt(r.last_in!),
      outBytes: BigInt(r.last_out!),
    });
  }
  return states;
}

interface SeriesRow {
  account_id: string;
  source_id: number;
  last_ms: string | null;
  last_in: string | null;
  last_out: string | null;
}

const seriesParams = (keys: SeriesKey[]) => [arrayLiteral(keys.map((k) => k.accountId)), arrayLiteral(keys.map((k) => k.sourceId))];

function selectSeriesForUpdate(manager: EntityManager, keys: SeriesKey[]): Promise<SeriesRow[]> {
  return preparedQuery(
    manager,
    'usage-series-lock',
    `SELECT s.account_id, s.source_id, (extract(epoch from s.last_time) * 1000)::bigint AS last_ms, s.last_in, s.last_out
       FROM usage_series s
       JOIN unnest($1::bigint[], $2::int[]) AS k(a, src) ON s.account_id = k.a AND s.source_id = k.src
      ORDER BY s.account_id, s.source_id
        FOR UPDATE OF s`,
    seriesParams(keys),
  );
}

async function saveSeries(manager: EntityManager, updates: { key: SeriesKey; state: CounterState }[]): Promise<void> {
  if (updates.length === 0) return;
  await preparedQuery(
    manager,
    'usage-series-save',
    `UPDATE usage_series s SET last_time = u.t, last_in = u.i, last_out = u.o
       FROM unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::bigint[], $5::bigint[]) AS u(a, src, t, i, o)
      WHERE s.account_id = u.a AND s.source_id = u.src`,
    [
      arrayLiteral(updates.map((u) => u.key.accountId)),
      arrayLiteral(updates.map((u) => u.key.sourceId)),
      arrayLiteral(updates.map((u) => new Date(u.state.time).toISOString())),
      arrayLiteral(updates.map((u) => u.state.inBytes)),
      arrayLiteral(updates.map((u) => u.state.outBytes)),
    ],
  );
}
