import { Counter, Registry } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import type { LedgerConfig } from '../config';
import { INT64_MAX } from '../db/int64';
import { preparedQuery } from '../db/prepared-query';
import { retryTransient } from '../db/sql-errors';
import { applySamples, CounterSample, CounterState, UsageInterval } from './counter';
import type { UsageSource } from './ledger';
import { arrayLiteral, LedgerRow, ledgerRow, loadMissingAccountsAndWindows, usageUpsert } from './ledger.service';
import { RecordByteLimit } from './plausible-bytes';
import { spreadDelta } from './spread';
import { resolveSourceIds, sourceKey } from './usage-sources';

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
const MAX_ACCOUNT_ID = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_LABEL = 255;
const MAX_PROBLEMS_LISTED = 20;
const PIECE_BUDGET = 500_000;
/** How many series states are kept in memory; past this many the memory starts over. */
const REMEMBERED_SERIES = 500_000;

/** Checks one row on its own; returns what is wrong with it, or null. */
export function sampleProblem(row: DataUsageSample, nowMs: number, maxFutureSeconds: number): string | null {
  const problems: string[] = [];
  const t = row.time instanceof Date ? row.time.getTime() : NaN;
  if (!Number.isFinite(t)) problems.push('time is not a valid date');
  else if (t > nowMs + maxFutureSeconds * 1000) problems.push(`time ${row.time.toISOString()} is in the future`);
  else if (t < EARLIEST) problems.push(`time ${row.time.toISOString()} is before 2000`);
  if (row.account_id <= 0n || row.account_id > MAX_ACCOUNT_ID) problems.push(`account_id ${row.account_id} is not a valid id`);
  byteCountProblem('inbytes', row.inbytes, problems);
  byteCountProblem('outbytes', row.outbytes, problems);
  labelProblem('data_source_parent', row.data_source_parent, problems);
  labelProblem('data_source_identifier', row.data_source_identifier, problems);
  return problems.length ? problems.join(', ') : null;
}

/** A running counter only has to be a byte count; what it grew by is checked per interval (`implausibleDelta`). */
function byteCountProblem(name: string, value: bigint, problems: string[]): void {
  if (value < 0n) problems.push(`${name} ${value} is negative`);
  else if (value > INT64_MAX) problems.push(`${name} ${value} does not fit in 64 bits`);
}

/**
 * What the edge rule every source applies (plausible-bytes.ts) says about one interval's delta:
 * null when both directions are plausible for the time between the two samples.
 */
function implausibleDelta(interval: UsageInterval, limit: RecordByteLimit): string | null {
  const seconds = (interval.to - interval.from) / 1000;
  const grew = (name: string, delta: bigint) =>
    limit.plausibleBytes(delta, 1, seconds) === null
      ? [`${name} grew by ${delta} bytes in ${seconds} s since the series' previous sample, more than one sample may carry: ${limit.describe(seconds)}`]
      : [];
  const problems = [...grew('inbytes', interval.inBytes), ...grew('outbytes', interval.outBytes)];
  return problems.length ? problems.join(', ') : null;
}

function labelProblem(name: string, value: string, problems: string[]): void {
  if (typeof value !== 'string' || value.trim() === '') problems.push(`${name} is empty`);
  else if (value.length > MAX_LABEL) problems.push(`${name} is longer than ${MAX_LABEL} characters`);
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
 * into usage and spread over the time between samples. One transaction per call. A series this
 * process wrote last starts from the state it remembers, and the state's UPDATE applies only if
 * the row still holds it; any other series' row is locked and read first (in key order). Either
 * way concurrent calls on the same series serialize, and a re-sent batch finds its samples
 * already applied.
 */
export class DataUsageService {
  private readonly remembered = new RememberedSeriesStates(REMEMBERED_SERIES);
  /**
   * Calls redone because a remembered state was outdated. Near zero when each series has one
   * writer; if several service processes take turns on the same series, most calls pay a redo
   * and this counter shows it (send each series to one process then).
   */
  private readonly outdatedRedos: Counter;
  private readonly limit: RecordByteLimit;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: Pick<LedgerConfig, 'maxBatchRows' | 'maxFutureSeconds' | 'maxBitsPerSecond'>,
    private readonly timeZone: string,
    registry?: Registry,
  ) {
    this.limit = new RecordByteLimit(config.maxBitsPerSecond);
    this.outdatedRedos = new Counter({
      name: 'usage_series_outdated_redos_total',
      help: 'createDataUsages calls redone from locked rows because a remembered series state was outdated',
      registers: registry ? [registry] : [],
    });
  }

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

    // A deadlock between concurrent calls on the same series is retried; so is a call that found
    // a remembered series state outdated, from then on reading every state from its locked row.
    let trustRemembered = true;
    const attempt = () => this.dataSource.transaction((manager) => this.store(manager, input, trustRemembered));
    const { result, saved } = await retryTransient(() =>
      attempt().catch((error) => {
        if (!(error instanceof RememberedStateOutdated)) throw error;
        this.outdatedRedos.inc();
        trustRemembered = false;
        return attempt();
      }),
    );
    this.remembered.remember(saved);
    return result;
  }

  /** Applies a checked batch in the caller's transaction. */
  private async store(manager: EntityManager, input: DataUsageSample[], trustRemembered: boolean): Promise<StoredBatch> {
    const accountIds = [...new Set(input.map((r) => Number(r.account_id)))];
    // One statement: which accounts do not exist, and the free windows of their policies.
    const { missing, windows } = await loadMissingAccountsAndWindows(manager, accountIds);
    if (missing.size) {
      const problems: string[] = [];
      input.forEach((row, i) => {
        if (missing.has(Number(row.account_id))) problems.push(`input[${i}]: account ${row.account_id} does not exist`);
      });
      return { result: { success: false, message: describeProblems(problems) }, saved: [] };
    }

    const { sources, rowSource } = distinctSources(input);
    const sourceIds = await resolveSourceIds(manager, sources);
    const sourceIdOf = sources.map((source) => sourceIds.get(sourceKey(source))!);
    const series = new SeriesMap<Series>();
    const ordered: Series[] = [];
    input.forEach((row, i) => {
      const key = { accountId: Number(row.account_id), sourceId: sourceIdOf[rowSource[i]] };
      let entry = series.get(key);
      if (!entry) {
        entry = { key, samples: [], before: trustRemembered ? this.remembered.get(key) : undefined };
        series.set(key, entry);
        ordered.push(entry);
      }
      entry.samples.push({ row: i, time: row.time.getTime(), inBytes: row.inbytes, outBytes: row.outbytes });
    });
    ordered.sort((a, b) => a.key.accountId - b.key.accountId || a.key.sourceId - b.key.sourceId);
    const unknown = ordered.filter((s) => s.before === undefined);
    if (unknown.length) {
      const stored = await lockSeries(manager, unknown.map((s) => s.key));
      for (const s of unknown) s.before = stored.get(s.key) ?? null;
    }

    // Bounded work per call whatever the gaps between samples: ~500 000 pieces at most.
    const maxPieces = Math.max(12, Math.floor(PIECE_BUDGET / input.length));
    const rows: LedgerRow[] = [];
    const updates: SeriesUpdate[] = [];
    let applied = 0;
    const baselines: number[] = [];
    const duplicates: number[] = [];
    const stale: number[] = [];
    const implausible: string[] = [];
    for (const s of ordered) {
      const before = s.before ?? null;
      const outcome = applySamples(before, s.samples);
      baselines.push(...outcome.baselines);
      duplicates.push(...outcome.duplicates);
      stale.push(...outcome.stale);
      applied += outcome.intervals.length;
      for (const interval of outcome.intervals) {
        const problem = implausibleDelta(interval, this.limit);
        if (problem) implausible.push(`input[${interval.row}]: ${problem}`);
      }
      if (implausible.length) continue;
      const accountWindows = windows.get(s.key.accountId) ?? [];
      for (const interval of outcome.intervals) {
        const pieces = spreadDelta(interval.from, interval.to, interval.inBytes, interval.outBytes, accountWindows, this.timeZone, maxPieces);
        for (const piece of pieces) rows.push(ledgerRow(s.key.accountId, s.key.sourceId, piece.bucket, piece, piece.free));
      }
      if (outcome.state && outcome.state !== before) updates.push({ key: s.key, before, state: outcome.state });
    }
    // Only known once the stored states are read: nothing is written, as for any other bad row.
    if (implausible.length) return { result: { success: false, message: describeProblems(implausible) }, saved: [] };
    const saved = await saveSeriesAndUsage(manager, updates, rows);
    if (saved < updates.length) throw new RememberedStateOutdated();

    const parts = [`Stored ${applied} sample(s) as usage`];
    if (baselines.length) parts.push(`${baselines.length} started a series (baseline, no usage of their own)`);
    if (duplicates.length) parts.push(`${duplicates.length} already received (ignored): ${rowList(duplicates.sort((a, b) => a - b))}`);
    if (stale.length) parts.push(`${stale.length} older than their series' latest sample, not applied: ${rowList(stale.sort((a, b) => a - b))}`);
    return { result: { success: true, message: `${parts.join('; ')}.` }, saved: updates };
  }
}

/**
 * The batch's distinct sources, and for each row the index of its source. A batch names a few
 * sources over and over: they are looked up by parent, then identifier, without building a key
 * string per row.
 */
function distinctSources(input: DataUsageSample[]): { sources: UsageSource[]; rowSource: number[] } {
  const sources: UsageSource[] = [];
  const indexOf = new Map<string, Map<string, number>>();
  const rowSource = input.map(({ data_source_parent: parent, data_source_identifier: identifier }) => {
    let byIdentifier = indexOf.get(parent);
    if (!byIdentifier) indexOf.set(parent, (byIdentifier = new Map()));
    let index = byIdentifier.get(identifier);
    if (index === undefined) byIdentifier.set(identifier, (index = sources.push({ parent, identifier }) - 1));
    return index;
  });
  return { sources, rowSource };
}

interface Series {
  key: SeriesKey;
  samples: CounterSample[];
  /** The state the call starts from: null for a new series, undefined until known. */
  before: CounterState | null | undefined;
}

interface SeriesUpdate {
  key: SeriesKey;
  /** The state this call started from: the update applies only if the row still holds it. */
  before: CounterState | null;
  state: CounterState;
}

interface StoredBatch {
  result: DataUsageResult;
  /** The series states the batch wrote, to remember once it has committed. */
  saved: SeriesUpdate[];
}

/** Values per series, keyed by the numbers themselves: no key strings on the hot path. */
class SeriesMap<T> {
  private readonly bySource = new Map<number, Map<number, T>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: SeriesKey): T | undefined {
    return this.bySource.get(key.sourceId)?.get(key.accountId);
  }

  set(key: SeriesKey, value: T): void {
    let accounts = this.bySource.get(key.sourceId);
    if (!accounts) this.bySource.set(key.sourceId, (accounts = new Map()));
    if (!accounts.has(key.accountId)) this.count++;
    accounts.set(key.accountId, value);
  }

  clear(): void {
    this.bySource.clear();
    this.count = 0;
  }
}

/** A remembered series state was not the stored one (another process wrote the series): redo from the rows. */
class RememberedStateOutdated extends Error {
  constructor() {
    super('a remembered usage series state is outdated');
  }
}

/**
 * The last committed state of the series this process wrote, so that a call on known series
 * needs no locking read: its UPDATE applies only where the row still holds the remembered state
 * (compare-and-set on last_time, which only ever grows), and if any row does not (another
 * process, or a concurrent call, wrote it since) the whole call is redone from the locked rows.
 * A wrong remembered state therefore costs a redo, never a wrong count.
 */
class RememberedSeriesStates {
  private readonly states = new SeriesMap<CounterState>();

  constructor(private readonly capacity: number) {}

  get(key: SeriesKey): CounterState | undefined {
    return this.states.get(key);
  }

  /** After COMMIT. Calls may finish in any order: keep the newest state of each series. */
  remember(updates: readonly SeriesUpdate[]): void {
    if (this.states.size + updates.length > this.capacity) this.states.clear();
    for (const u of updates) {
      const known = this.states.get(u.key);
      if (!known || known.time < u.state.time) this.states.set(u.key, u.state);
    }
  }
}

/**
 * Locks the series rows in key order and reads their stored state, creating the missing ones.
 * Concurrent calls on the same series queue here; calls on different series do not touch each
 * other. Existing series cost the one SELECT ... FOR UPDATE; new series an INSERT and a second
 * SELECT (separate, so that under READ COMMITTED it sees, and waits for, rows a concurrent call
 * inserted meanwhile). Locking in two steps can deadlock with a concurrent call creating the same
 * series; the caller retries then.
 */
async function lockSeries(manager: EntityManager, keys: SeriesKey[]): Promise<SeriesMap<CounterState | null>> {
  const rows = await selectSeriesForUpdate(manager, keys);
  if (rows.length < keys.length) {
    const found = new SeriesMap<true>();
    for (const r of rows) found.set(keyOf(r), true);
    const missing = keys.filter((k) => !found.get(k));
    await manager.query(
      `INSERT INTO usage_series (account_id, source_id)
         SELECT * FROM unnest($1::bigint[], $2::int[])
       ON CONFLICT (account_id, source_id) DO NOTHING`,
      seriesParams(missing),
    );
    rows.push(...(await selectSeriesForUpdate(manager, missing)));
  }
  const states = new SeriesMap<CounterState | null>();
  for (const r of rows) {
    states.set(keyOf(r), r.last_ms === null ? null : { time: Number(r.last_ms), inBytes: BigInt(r.last_in!), outBytes: BigInt(r.last_out!) });
  }
  return states;
}

const keyOf = (r: SeriesRow): SeriesKey => ({ accountId: Number(r.account_id), sourceId: Number(r.source_id) });

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

/**
 * Writes the series' new states and adds their usage, in one statement (one round trip). Each
 * state is written only where the row still holds the state the call started from (times are
 * epoch milliseconds, exact as intervals); returns how many were written. If that is fewer than
 * asked, the caller rolls the transaction back, usage included.
 */
async function saveSeriesAndUsage(manager: EntityManager, updates: SeriesUpdate[], rows: LedgerRow[]): Promise<number> {
  if (updates.length === 0) return 0;
  const usage = usageUpsert(rows, 7);
  const [{ saved }] = await preparedQuery<{ saved: number }>(
    manager,
    'usage-series-save-with-usage',
    `WITH saved AS (
       UPDATE usage_series s SET last_time = ${EPOCH_MS('u.t')}, last_in = u.i, last_out = u.o
         FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[]) AS u(a, src, t, i, o, before)
        WHERE s.account_id = u.a AND s.source_id = u.src AND s.last_time IS NOT DISTINCT FROM ${EPOCH_MS('u.before')}
        RETURNING 1),
     usage AS (${usage.sql})
     SELECT count(*)::int AS saved FROM saved`,
    [
      ...[
        updates.map((u) => u.key.accountId),
        updates.map((u) => u.key.sourceId),
        updates.map((u) => u.state.time),
        updates.map((u) => u.state.inBytes),
        updates.map((u) => u.state.outBytes),
        updates.map((u) => u.before?.time ?? 'NULL'),
      ].map(arrayLiteral),
      ...usage.parameters,
    ],
  );
  return Number(saved);
}

/**
 * A timestamptz from epoch milliseconds. PostgreSQL multiplies the interval by a double, which is
 * exact here: any time this service accepts is far below 2^53 microseconds.
 */
const EPOCH_MS = (column: string) => `timestamptz 'epoch' + ${column} * interval '1 millisecond'`;
