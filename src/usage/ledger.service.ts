import type { EntityManager } from 'typeorm';
import { preparedQuery } from '../db/prepared-query';
import { FreeWindow, isFreeAt } from './free-window';
import type { Ledger, UnattributedIncrement, UsageIncrement, UsageSource } from './ledger';
import { bucketOf } from './spread';
import { resolveSourceIds, sourceKey } from './usage-sources';

/** One row of usage_5m to add: bytes already split into billable and free. */
export interface LedgerRow {
  accountId: number;
  sourceId: number;
  bucket: number;
  inBytes: bigint;
  outBytes: bigint;
  freeInBytes: bigint;
  freeOutBytes: bigint;
}

/** The row for bytes of one (account, source, bucket) that are all free or all billable. */
export function ledgerRow(
  accountId: number,
  sourceId: number,
  bucket: number,
  bytes: { inBytes: bigint; outBytes: bigint },
  free: boolean,
): LedgerRow {
  return free
    ? { accountId, sourceId, bucket, inBytes: 0n, outBytes: 0n, freeInBytes: bytes.inBytes, freeOutBytes: bytes.outBytes }
    : { accountId, sourceId, bucket, inBytes: bytes.inBytes, outBytes: bytes.outBytes, freeInBytes: 0n, freeOutBytes: 0n };
}

/** An account and one free window of its policy; the window is null when a LEFT JOIN found none. */
interface AccountWindowRow {
  account_id: string;
  day: number | null;
  start_minute: number | null;
  end_minute: number | null;
}

function windowsByAccount(rows: AccountWindowRow[]): Map<number, FreeWindow[]> {
  const windows = new Map<number, FreeWindow[]>();
  for (const r of rows) {
    if (r.day === null) continue;
    const id = Number(r.account_id);
    const list = windows.get(id) ?? [];
    list.push({ weekday: Number(r.day), startMinute: Number(r.start_minute), endMinute: Number(r.end_minute) });
    windows.set(id, list);
  }
  return windows;
}

/**
 * The free windows of each account's policy, in one statement for the whole batch. Free traffic is
 * classified when written (not when read) so the hour and day rollups stay exact: a rolled-up
 * bucket no longer knows when inside it the bytes happened, but it still knows which were free.
 * The price: changing a policy's windows applies to traffic recorded from then on, which is also
 * what a customer was promised at the time of the traffic.
 */
export async function loadFreeWindows(manager: EntityManager, accountIds: number[]): Promise<Map<number, FreeWindow[]>> {
  if (accountIds.length === 0) return new Map();
  const rows = await preparedQuery<AccountWindowRow>(
    manager,
    'ledger-free-windows',
    `SELECT a.id AS account_id, fp.day, fp.start_minute, fp.end_minute
       FROM accounts a
       JOIN usage_based_billing_policy_free_periods fp ON fp.usage_based_billing_policy_id = a.usage_based_billing_policy_id
      WHERE a.id = ANY($1::bigint[])`,
    [arrayLiteral(accountIds)],
  );
  return windowsByAccount(rows);
}

/**
 * A PostgreSQL array literal for values that need no quoting (numbers, bigints, ISO timestamps).
 * Built with one join instead of the driver's per-element escaping: a 20 000-row batch has
 * 140 000 elements, and this is the hot path.
 */
export function arrayLiteral(values: readonly (number | bigint | string)[]): string {
  return `{${values.join(',')}}`;
}

/**
 * Which of these accounts do not exist, and the free windows of the others' policies: one
 * statement, whose rows are only the exceptions (an account that exists and has no free window
 * costs no row), since every row is parsed on the hot path.
 */
export async function loadMissingAccountsAndWindows(
  manager: EntityManager,
  accountIds: number[],
): Promise<{ missing: Set<number>; windows: Map<number, FreeWindow[]> }> {
  const rows = await preparedQuery<AccountWindowRow & { known: boolean }>(
    manager,
    'ledger-missing-accounts-windows',
    `SELECT k.id AS account_id, a.id IS NOT NULL AS known, fp.day, fp.start_minute, fp.end_minute
       FROM unnest($1::bigint[]) AS k(id)
       LEFT JOIN accounts a ON a.id = k.id
       LEFT JOIN usage_based_billing_policy_free_periods fp ON fp.usage_based_billing_policy_id = a.usage_based_billing_policy_id
      WHERE a.id IS NULL OR fp.day IS NOT NULL`,
    [arrayLiteral(accountIds)],
  );
  const missing = new Set(rows.filter((r) => !r.known).map((r) => Number(r.account_id)));
  return { missing, windows: windowsByAccount(rows) };
}

const compareRows = (a: LedgerRow, b: LedgerRow) =>
  a.accountId - b.accountId || a.bucket - b.bucket || a.sourceId - b.sourceId;

/**
 * Adds rows to usage_5m in one statement. Additive (in = in + excluded.in), so any number of
 * processes may write the same buckets at once; rows go in primary-key order so two concurrent
 * batches lock shared rows in the same order and cannot deadlock.
 */
export async function upsertUsageRows(manager: EntityManager, rows: LedgerRow[]): Promise<void> {
  if (rows.length === 0) return;
  const upsert = usageUpsert(rows, 1);
  await preparedQuery(manager, 'ledger-upsert-5m', upsert.sql, upsert.parameters);
}

/**
 * The usage_5m upsert of `rows` as SQL (parameters numbered from `$first`, so that a caller can
 * send it inside a larger statement) and its parameters: seven array literals.
 */
export function usageUpsert(rows: LedgerRow[], first: number): { sql: string; parameters: string[] } {
  // Sort, then merge neighbours with the same key: no per-row key strings or copies (hot path).
  const sorted = rows.slice().sort(compareRows);
  const account: number[] = [];
  const bucket: number[] = [];
  const source: number[] = [];
  const inB: bigint[] = [];
  const outB: bigint[] = [];
  const freeIn: bigint[] = [];
  const freeOut: bigint[] = [];
  let last = -1;
  for (const r of sorted) {
    const seconds = r.bucket / 1000;
    if (last >= 0 && account[last] === r.accountId && bucket[last] === seconds && source[last] === r.sourceId) {
      inB[last] += r.inBytes;
      outB[last] += r.outBytes;
      freeIn[last] += r.freeInBytes;
      freeOut[last] += r.freeOutBytes;
      continue;
    }
    account.push(r.accountId);
    bucket.push(seconds);
    source.push(r.sourceId);
    inB.push(r.inBytes);
    outB.push(r.outBytes);
    freeIn.push(r.freeInBytes);
    freeOut.push(r.freeOutBytes);
    last++;
  }
  const [a, b, s, i, o, fi, fo] = [0, 1, 2, 3, 4, 5, 6].map((k) => `$${first + k}`);
  return {
    sql: `INSERT INTO usage_5m AS u (account_id, bucket, source_id, in_bytes, out_bytes, free_in_bytes, free_out_bytes)
       SELECT a, to_timestamp(b), s, i, o, fi, fo
         FROM unnest(${a}::bigint[], ${b}::bigint[], ${s}::int[], ${i}::bigint[], ${o}::bigint[], ${fi}::bigint[], ${fo}::bigint[]) AS t(a, b, s, i, o, fi, fo)
     ON CONFLICT (account_id, bucket, source_id) DO UPDATE SET
       in_bytes = u.in_bytes + excluded.in_bytes,
       out_bytes = u.out_bytes + excluded.out_bytes,
       free_in_bytes = u.free_in_bytes + excluded.free_in_bytes,
       free_out_bytes = u.free_out_bytes + excluded.free_out_bytes`,
    parameters: [account, bucket, source, inB, outB, freeIn, freeOut].map(arrayLiteral),
  };
}

interface UnattributedRow {
  ip: string;
  sourceId: number;
  bucket: number;
  inBytes: bigint;
  outBytes: bigint;
}

export async function upsertUnattributedRows(manager: EntityManager, rows: UnattributedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const merged = new Map<string, UnattributedRow>();
  for (const r of rows) {
    const key = `${r.ip}|${r.bucket}|${r.sourceId}`;
    const m = merged.get(key);
    if (!m) merged.set(key, { ...r });
    else {
      m.inBytes += r.inBytes;
      m.outBytes += r.outBytes;
    }
  }
  // Sorted by the text form: any total order works against deadlocks as long as every writer uses it.
  const sorted = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  await manager.query(
    `INSERT INTO unattributed_5m AS u (ip, bucket, source_id, in_bytes, out_bytes)
       SELECT ip, to_timestamp(b), s, i, o
         FROM unnest($1::inet[], $2::bigint[], $3::int[], $4::bigint[], $5::bigint[]) AS t(ip, b, s, i, o)
     ON CONFLICT (ip, bucket, source_id) DO UPDATE SET
       in_bytes = u.in_bytes + excluded.in_bytes,
       out_bytes = u.out_bytes + excluded.out_bytes`,
    [
      sorted.map((r) => r.ip),
      arrayLiteral(sorted.map((r) => r.bucket / 1000)),
      arrayLiteral(sorted.map((r) => r.sourceId)),
      arrayLiteral(sorted.map((r) => r.inBytes)),
      arrayLiteral(sorted.map((r) => r.outBytes)),
    ],
  );
}

/** The one write path every source ends in. */
export class LedgerService implements Ledger {
  constructor(private readonly timeZone: string) {}

  async record(manager: EntityManager, usage: UsageIncrement[], unattributed: UnattributedIncrement[] = []): Promise<void> {
    if (usage.length === 0 && unattributed.length === 0) return;
    // Callers reuse one source object per device: dedupe by identity before building text keys.
    const sources = new Set<UsageSource>();
    for (const u of usage) sources.add(u.source);
    for (const u of unattributed) sources.add(u.source);
    const sourceIds = await resolveSourceIds(manager, sources);
    const byObject = new Map<UsageSource, number>();
    for (const s of sources) byObject.set(s, sourceIds.get(sourceKey(s))!);
    if (usage.length > 0) {
      const accountIds = [...new Set(usage.map((u) => u.accountId))];
      const windows = await loadFreeWindows(manager, accountIds);
      const rows: LedgerRow[] = usage.map((u) => {
        checkBytes(u.inBytes, u.outBytes);
        const w = windows.get(u.accountId);
        const free = w !== undefined && isFreeAt(w, this.timeZone, u.timeMs);
        return ledgerRow(u.accountId, byObject.get(u.source)!, bucketOf(u.timeMs), u, free);
      });
      await upsertUsageRows(manager, rows);
    }
    if (unattributed.length > 0) {
      await upsertUnattributedRows(
        manager,
        unattributed.map((u) => {
          checkBytes(u.inBytes, u.outBytes);
          return {
            ip: u.ip,
            sourceId: byObject.get(u.source)!,
            bucket: bucketOf(u.timeMs),
            inBytes: u.inBytes,
            outBytes: u.outBytes,
          };
        }),
      );
    }
  }
}

function checkBytes(inBytes: bigint, outBytes: bigint): void {
  // Ingesters compute these; a negative count is a bug upstream, never something to store.
  if (inBytes < 0n || outBytes < 0n) throw new RangeError('usage increments must not be negative');
}
