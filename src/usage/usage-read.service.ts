import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../db/prepared-query';
import { billingPeriodAt, billingPeriodsBetween, BillingPeriod } from './billing-period';
import { BUCKET_MS } from './spread';
import { ceilLocalDay, ceilLocalHour, floorLocalHour, nextLocalDay, startOfLocalDay, TIME } from './time-zone';
import type { UsageSource } from './ledger';
import { sourceKey } from './usage-sources';

/**
 * Where to look in each tier for usage inside [start, end): a bucket counts when it lies wholly
 * inside the range. Every byte lives in exactly one tier, so summing the three answers exactly
 * whenever the edges are still held at a fine enough grain (always, for billing periods: they
 * start at local midnight, an edge of every tier). Each tier is one index range scan.
 */
export interface TierRanges {
  fine: [number, number];
  hour: [number, number];
  day: [number, number];
}

export function tierRanges(timeZone: string, start: number, end: number): TierRanges {
  const hourStart = ceilLocalHour(timeZone, start);
  const hourEnd = floorLocalHour(timeZone, end);
  const dayStart = ceilLocalDay(timeZone, start);
  const dayEnd = startOfLocalDay(timeZone, end);
  return {
    fine: [start, end],
    hour: [hourStart, Math.max(hourStart, hourEnd)],
    day: [dayStart, Math.max(dayStart, dayEnd)],
  };
}

export interface ByteTotals {
  inBytes: bigint;
  outBytes: bigint;
  freeInBytes: bigint;
  freeOutBytes: bigint;
}

export interface SourceTotals extends ByteTotals {
  parent: string;
  identifier: string;
}

export interface RatePoint {
  time: Date;
  inBytesPerSecond: number;
  outBytesPerSecond: number;
  parent: string;
  identifier: string;
}

export interface TopUser {
  accountId: number;
  inBytes: bigint;
  outBytes: bigint;
  totalBytes: bigint;
}

export interface UnattributedTotal {
  ip: string;
  parent: string;
  identifier: string;
  inBytes: bigint;
  outBytes: bigint;
}

/** An account's standing in its current billing period. */
export interface CurrentUsage extends ByteTotals {
  accountId: number;
  period: BillingPeriod;
  policyId: number | null;
  /** Bytes that count against the cap (billable only; directions per the policy). */
  countedBytes: bigint;
  capBytes: bigint | null;
  topOffBytes: bigint;
  /** Cap + top-offs; null without a policy. */
  allowanceBytes: bigint | null;
  /** Percent of the allowance used; null without a policy. */
  percentage: number | null;
}

export interface UsageHistory extends ByteTotals {
  accountId: number;
  start: number;
  /** null while the period is open. */
  end: number | null;
  capBytes: bigint | null;
  topOffBytes: bigint;
}

const ts = (ms: number) => new Date(ms).toISOString();
const big = (v: string | null | undefined) => BigInt(v ?? '0');
const GB = 1_000_000_000n;

/** Decimal gigabytes ("12.5") -> exact bytes. numeric(30,9) holds at most 9 decimals. */
export function gigabytesToBytes(gigabytes: string): bigint {
  const [whole, fraction = ''] = gigabytes.split('.');
  return BigInt(whole) * GB + BigInt((fraction + '000000000').slice(0, 9));
}

const TIER_UNION = `
  SELECT account_id, source_id, bucket, in_bytes, out_bytes, free_in_bytes, free_out_bytes, 'fine' AS tier FROM usage_5m
   WHERE account_id = r.a AND bucket >= r.fs AND bucket < r.fe
  UNION ALL
  SELECT account_id, source_id, bucket, in_bytes, out_bytes, free_in_bytes, free_out_bytes, 'hour' FROM usage_1h
   WHERE account_id = r.a AND bucket >= r.hs AND bucket < r.he
  UNION ALL
  SELECT account_id, source_id, bucket, in_bytes, out_bytes, free_in_bytes, free_out_bytes, 'day' FROM usage_1d
   WHERE account_id = r.a AND bucket >= r.ds AND bucket < r.de`;

/** unnest parameters for a list of (account, range) pairs, in the order TIER_UNION expects. */
function rangeParams(timeZone: string, ranges: { accountId: number; start: number; end: number }[]): unknown[] {
  const cols: unknown[][] = [[], [], [], [], [], [], [], []];
  ranges.forEach((r, i) => {
    const t = tierRanges(timeZone, r.start, r.end);
    cols[0].push(r.accountId);
    cols[1].push(ts(t.fine[0]));
    cols[2].push(ts(t.fine[1]));
    cols[3].push(ts(t.hour[0]));
    cols[4].push(ts(t.hour[1]));
    cols[5].push(ts(t.day[0]));
    cols[6].push(ts(t.day[1]));
    cols[7].push(i);
  });
  return cols;
}

const RANGES = `unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::int[])
  AS r(a, fs, fe, hs, he, ds, de, idx)`;

interface AccountBilling {
  id: number;
  bill_day: number;
  policy_id: number | null;
  cap_in_gigabytes: string | null;
  counted_directions: string | null;
  created_at: Date;
}

export class UsageReadService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly timeZone: string,
  ) {}

  private get db(): EntityManager {
    return this.dataSource.manager;
  }

  /** data_usage_totals: one row per source series. Plain parameters (no unnest) keep planning cheap on this hot read. */
  async totals(accountId: number, start: number, end: number): Promise<SourceTotals[]> {
    const t = tierRanges(this.timeZone, start, end);
    const rows = await preparedQuery<Record<string, string>>(
      this.dataSource,
      'usage-totals',
      `SELECT s.parent, s.identifier, u.i::text AS i, u.o::text AS o, u.fi::text AS fi, u.fo::text AS fo
         FROM (SELECT source_id, sum(in_bytes) AS i, sum(out_bytes) AS o, sum(free_in_bytes) AS fi, sum(free_out_bytes) AS fo FROM (
                 SELECT source_id, in_bytes, out_bytes, free_in_bytes, free_out_bytes FROM usage_5m
                  WHERE account_id = $1 AND bucket >= $2 AND bucket < $3
                 UNION ALL
                 SELECT source_id, in_bytes, out_bytes, free_in_bytes, free_out_bytes FROM usage_1h
                  WHERE account_id = $1 AND bucket >= $4 AND bucket < $5
                 UNION ALL
                 SELECT source_id, in_bytes, out_bytes, free_in_bytes, free_out_bytes FROM usage_1d
                  WHERE account_id = $1 AND bucket >= $6 AND bucket < $7) tiers
               GROUP BY source_id) u
         JOIN usage_sources s ON s.id = u.source_id
        ORDER BY s.parent, s.identifier`,
      [accountId, ts(t.fine[0]), ts(t.fine[1]), ts(t.hour[0]), ts(t.hour[1]), ts(t.day[0]), ts(t.day[1])],
    );
    return rows.map((r) => ({
      parent: r.parent,
      identifier: r.identifier,
      inBytes: big(r.i),
      outBytes: big(r.o),
      freeInBytes: big(r.fi),
      freeOutBytes: big(r.fo),
    }));
  }

  /** Totals (all sources) for many (account, range) pairs in one statement; result in input order. */
  async totalsForRanges(ranges: { accountId: number; start: number; end: number }[]): Promise<ByteTotals[]> {
    const result: ByteTotals[] = ranges.map(() => ({ inBytes: 0n, outBytes: 0n, freeInBytes: 0n, freeOutBytes: 0n }));
    if (ranges.length === 0) return result;
    const rows: Record<string, string>[] = await this.db.query(
      `SELECT r.idx, sum(u.in_bytes)::text AS i, sum(u.out_bytes)::text AS o,
              sum(u.free_in_bytes)::text AS fi, sum(u.free_out_bytes)::text AS fo
         FROM ${RANGES} CROSS JOIN LATERAL (${TIER_UNION}) u
        GROUP BY r.idx`,
      rangeParams(this.timeZone, ranges),
    );
    for (const r of rows) {
      result[Number(r.idx)] = { inBytes: big(r.i), outBytes: big(r.o), freeInBytes: big(r.fi), freeOutBytes: big(r.fo) };
    }
    return result;
  }

  /**
   * data_usage: rates per source over about `datapoints` steps. A bucket's bytes are spread over
   * the steps it overlaps (in proportion to the overlap), so hour and day buckets do not show up
   * as spikes when the steps are finer than they are.
   */
  async series(accountId: number, start: number, end: number, datapoints: number): Promise<RatePoint[]> {
    const points = Math.max(1, Math.min(datapoints, 2000));
    const step = Math.max(BUCKET_MS, Math.ceil((end - start) / points / BUCKET_MS) * BUCKET_MS);
    const rows: (UsageSource & { tier: string; b: string; i: string; o: string })[] = await this.db.query(
      `SELECT s.parent, s.identifier, u.tier, (extract(epoch from u.bucket) * 1000)::bigint::text AS b,
              (u.in_bytes + u.free_in_bytes)::text AS i, (u.out_bytes + u.free_out_bytes)::text AS o
         FROM (SELECT $1::bigint AS a, $2::timestamptz AS fs, $3::timestamptz AS fe, $4::timestamptz AS hs,
                      $3::timestamptz AS he, $5::timestamptz AS ds, $3::timestamptz AS de) r
         CROSS JOIN LATERAL (${TIER_UNION}) u
         JOIN usage_sources s ON s.id = u.source_id`,
      [accountId, ts(start), ts(end), ts(floorLocalHour(this.timeZone, start)), ts(startOfLocalDay(this.timeZone, start))],
    );
    const steps = Math.ceil((end - start) / step);
    const bySource = new Map<string, { parent: string; identifier: string; inB: number[]; outB: number[] }>();
    for (const r of rows) {
      const key = sourceKey(r);
      let s = bySource.get(key);
      if (!s) bySource.set(key, (s = { parent: r.parent, identifier: r.identifier, inB: new Array(steps).fill(0), outB: new Array(steps).fill(0) }));
      const bStart = Number(r.b);
      const bEnd = r.tier === 'fine' ? bStart + BUCKET_MS : r.tier === 'hour' ? bStart + TIME.HOUR : nextLocalDay(this.timeZone, bStart);
      const inBytes = Number(r.i);
      const outBytes = Number(r.o);
      const from = Math.max(bStart, start);
      const to = Math.min(bEnd, end);
      for (let k = Math.floor((from - start) / step); k < steps && start + k * step < to; k++) {
        const overlap = Math.min(to, start + (k + 1) * step) - Math.max(from, start + k * step);
        if (overlap <= 0) continue;
        const share = overlap / (bEnd - bStart);
        s.inB[k] += inBytes * share;
        s.outB[k] += outBytes * share;
      }
    }
    const out: RatePoint[] = [];
    // By parent, then identifier, as totals lists sources: the keys (parent \0 identifier) sort so.
    for (const [, s] of [...bySource].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (let k = 0; k < steps; k++) {
        const seconds = (Math.min(end, start + (k + 1) * step) - (start + k * step)) / 1000;
        out.push({
          time: new Date(start + k * step),
          inBytesPerSecond: s.inB[k] / seconds,
          outBytesPerSecond: s.outB[k] / seconds,
          parent: s.parent,
          identifier: s.identifier,
        });
      }
    }
    return out;
  }

  /** top_data_usage: heaviest accounts over a window (billable and free), optionally one kind of source. */
  async top(start: number, end: number, limit: number, parent?: string | null): Promise<TopUser[]> {
    const t = tierRanges(this.timeZone, start, end);
    const filter = parent ? `WHERE source_id IN (SELECT id FROM usage_sources WHERE parent = $7)` : '';
    const rows: Record<string, string>[] = await this.db.query(
      `SELECT account_id, sum(i)::text AS i, sum(o)::text AS o, sum(i + o)::text AS total FROM (
         SELECT account_id, source_id, in_bytes + free_in_bytes AS i, out_bytes + free_out_bytes AS o FROM usage_5m WHERE bucket >= $1 AND bucket < $2
         UNION ALL
         SELECT account_id, source_id, in_bytes + free_in_bytes, out_bytes + free_out_bytes FROM usage_1h WHERE bucket >= $3 AND bucket < $4
         UNION ALL
         SELECT account_id, source_id, in_bytes + free_in_bytes, out_bytes + free_out_bytes FROM usage_1d WHERE bucket >= $5 AND bucket < $6
       ) u ${filter}
       GROUP BY account_id
       ORDER BY sum(i + o) DESC, account_id
       LIMIT ${Math.max(1, Math.min(limit, 10_000))}`,
      [ts(t.fine[0]), ts(t.fine[1]), ts(t.hour[0]), ts(t.hour[1]), ts(t.day[0]), ts(t.day[1]), ...(parent ? [parent] : [])],
    );
    return rows.map((r) => ({ accountId: Number(r.account_id), inBytes: big(r.i), outBytes: big(r.o), totalBytes: big(r.total) }));
  }

  /** unattributed_usage: addresses that matched no assignment, heaviest first. */
  async unattributed(start: number, end: number, limit: number): Promise<UnattributedTotal[]> {
    const t = tierRanges(this.timeZone, start, end);
    const rows: Record<string, string>[] = await this.db.query(
      `SELECT host(u.ip) AS ip, s.parent, s.identifier, sum(u.in_bytes)::text AS i, sum(u.out_bytes)::text AS o FROM (
         SELECT ip, source_id, in_bytes, out_bytes FROM unattributed_5m WHERE bucket >= $1 AND bucket < $2
         UNION ALL
         SELECT ip, source_id, in_bytes, out_bytes FROM unattributed_1h WHERE bucket >= $3 AND bucket < $4
         UNION ALL
         SELECT ip, source_id, in_bytes, out_bytes FROM unattributed_1d WHERE bucket >= $5 AND bucket < $6
       ) u JOIN usage_sources s ON s.id = u.source_id
       GROUP BY u.ip, s.parent, s.identifier
       ORDER BY sum(u.in_bytes + u.out_bytes) DESC, u.ip
       LIMIT ${Math.max(1, Math.min(limit, 10_000))}`,
      [ts(t.fine[0]), ts(t.fine[1]), ts(t.hour[0]), ts(t.hour[1]), ts(t.day[0]), ts(t.day[1])],
    );
    return rows.map((r) => ({ ip: r.ip, parent: r.parent, identifier: r.identifier, inBytes: big(r.i), outBytes: big(r.o) }));
  }

  private async billingOf(accountIds: number[]): Promise<Map<number, AccountBilling>> {
    const rows: Record<string, any>[] = await this.db.query(
      `SELECT a.id, a.bill_day, a.created_at, p.id AS policy_id, p.cap_in_gigabytes::text AS cap, p.counted_directions
         FROM accounts a LEFT JOIN usage_based_billing_policies p ON p.id = a.usage_based_billing_policy_id
        WHERE a.id = ANY($1::bigint[])`,
      [accountIds],
    );
    return new Map(
      rows.map((r) => [
        Number(r.id),
        {
          id: Number(r.id),
          bill_day: Number(r.bill_day),
          policy_id: r.policy_id === null ? null : Number(r.policy_id),
          cap_in_gigabytes: r.cap,
          counted_directions: r.counted_directions,
          created_at: new Date(r.created_at),
        },
      ]),
    );
  }

  private async topOffs(ranges: { accountId: number; start: number; end: number }[]): Promise<bigint[]> {
    const result = ranges.map(() => 0n);
    if (ranges.length === 0) return result;
    const rows: { idx: number; total: string }[] = await this.db.query(
      `SELECT r.idx, sum(t.amount_in_bytes)::text AS total
         FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::int[]) AS r(a, s, e, idx)
         JOIN data_usage_top_offs t ON t.account_id = r.a AND t.created_at >= r.s AND t.created_at < r.e
        GROUP BY r.idx`,
      [ranges.map((r) => r.accountId), ranges.map((r) => ts(r.start)), ranges.map((r) => ts(r.end)), ranges.map((_, i) => i)],
    );
    for (const r of rows) result[Number(r.idx)] = big(r.total);
    return result;
  }

  /**
   * Current-period standing of many accounts in three statements whatever their number
   * (accounts with policies, top-offs, usage): what a page of accounts and the threshold report use.
   */
  async currentUsage(accountIds: number[], now = Date.now()): Promise<Map<number, CurrentUsage>> {
    const result = new Map<number, CurrentUsage>();
    if (accountIds.length === 0) return result;
    const billing = await this.billingOf(accountIds);
    const accounts = [...billing.values()];
    const ranges = accounts.map((a) => {
      const period = billingPeriodAt(this.timeZone, a.bill_day, now);
      return { accountId: a.id, start: period.start, end: period.end };
    });
    const [usage, topOffs] = await Promise.all([this.totalsForRanges(ranges), this.topOffs(ranges)]);
    accounts.forEach((a, i) => {
      const u = usage[i];
      const capBytes = a.cap_in_gigabytes === null ? null : gigabytesToBytes(a.cap_in_gigabytes);
      const counted = a.counted_directions === 'IN' ? u.inBytes : a.counted_directions === 'OUT' ? u.outBytes : u.inBytes + u.outBytes;
      const allowance = capBytes === null ? null : capBytes + topOffs[i];
      result.set(a.id, {
        accountId: a.id,
        period: { start: ranges[i].start, end: ranges[i].end },
        policyId: a.policy_id,
        ...u,
        countedBytes: counted,
        capBytes,
        topOffBytes: topOffs[i],
        allowanceBytes: allowance,
        // Basis points in bigint first, so huge counters keep their precision.
        percentage: allowance === null || allowance === 0n ? null : Number((counted * 1_000_000n) / allowance) / 10_000,
      });
    });
    return result;
  }

  /** Accounts (with a policy) at or over `percent` of their allowance in their current period. */
  async accountsOverThreshold(percent: number, now = Date.now()): Promise<CurrentUsage[]> {
    const ids: { id: string }[] = await this.db.query(
      `SELECT id FROM accounts WHERE usage_based_billing_policy_id IS NOT NULL AND archived_at IS NULL ORDER BY id`,
    );
    const usage = await this.currentUsage(ids.map((r) => Number(r.id)), now);
    return [...usage.values()]
      .filter((u) => u.allowanceBytes !== null && u.countedBytes * 100n >= BigInt(percent) * u.allowanceBytes)
      .sort((a, b) => (b.percentage ?? 0) - (a.percentage ?? 0) || a.accountId - b.accountId);
  }

  /**
   * data_usage_histories: one row per billing period, newest first, from the account's creation
   * (or its oldest usage, if older) to the open period.
   */
  async histories(accountIds: number[], now = Date.now()): Promise<Map<number, UsageHistory[]>> {
    const result = new Map<number, UsageHistory[]>();
    if (accountIds.length === 0) return result;
    const billing = await this.billingOf(accountIds);
    const oldest: { account_id: string; first_ms: string | null }[] = await this.db.query(
      `SELECT a.id AS account_id, (extract(epoch from least(
                (SELECT min(bucket) FROM usage_1d WHERE account_id = a.id),
                (SELECT min(bucket) FROM usage_1h WHERE account_id = a.id),
                (SELECT min(bucket) FROM usage_5m WHERE account_id = a.id))) * 1000)::bigint::text AS first_ms
         FROM unnest($1::bigint[]) AS a(id)`,
      [accountIds],
    );
    const firstUsage = new Map(oldest.map((r) => [Number(r.account_id), r.first_ms === null ? null : Number(r.first_ms)]));
    const ranges: { accountId: number; start: number; end: number; open: boolean }[] = [];
    for (const a of billing.values()) {
      const from = Math.min(a.created_at.getTime(), firstUsage.get(a.id) ?? Infinity);
      for (const p of billingPeriodsBetween(this.timeZone, a.bill_day, from, now + 1)) {
        ranges.push({ accountId: a.id, start: p.start, end: p.end, open: p.end > now });
      }
    }
    const [usage, topOffs] = await Promise.all([this.totalsForRanges(ranges), this.topOffs(ranges)]);
    ranges.forEach((r, i) => {
      const a = billing.get(r.accountId)!;
      const list = result.get(r.accountId) ?? [];
      list.push({
        accountId: r.accountId,
        start: r.start,
        end: r.open ? null : r.end,
        ...usage[i],
        capBytes: a.cap_in_gigabytes === null ? null : gigabytesToBytes(a.cap_in_gigabytes),
        topOffBytes: topOffs[i],
      });
      result.set(r.accountId, list);
    });
    for (const list of result.values()) list.reverse();
    return result;
  }
}
