import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { parseCidr, parseIPv4, parseIPv6, Prefix, wordOf } from '../net/ip';
import { PrefixIndex } from '../net/prefix-index';
import { Attribution, RadiusAccountOwners } from './attribution';
import { Interval, IntervalList } from './interval-list';

export interface AttributionSettings {
  /** How often the change log is polled for changes made by other processes (ATTRIBUTION_SYNC_INTERVAL_MS). */
  syncIntervalMs: number;
  /**
   * How far back closed intervals are kept in memory (ATTRIBUTION_HISTORY_DAYS, default 90):
   * usage reported later than this is attributed from what is still held (assignments still open,
   * intervals that ended within the window), so it may come back unattributed.
   */
  historyDays: number;
  /** Rows per round trip when loading at start (default 50 000). */
  loadPageSize?: number;
}

export interface AttributionStats {
  currentPrefixes: number;
  historySubnets: number;
  historyIntervals: number;
  currentUsernames: number;
  lastSyncAt: Date | null;
  syncErrors: number;
}

const DAY_MS = 86_400_000;
/** Housekeeping (dropping expired intervals, trimming the change log) at most this often. */
const HOUSEKEEPING_MS = 3_600_000;
/** Change log rows older than this are deleted: every reader has caught up long before. */
const CHANGE_LOG_RETENTION = '1 day';
/**
 * A timestamptz as whole epoch milliseconds (int8), the same on every path: microseconds rounded
 * exactly first, then floored, so load and sync agree to the millisecond (date_part is float8 and
 * cheaper than numeric extract, which matters on PGlite at 100 000 rows).
 */
const epochMs = (column: string) => `floor(round(date_part('epoch', ${column}) * 1000000) / 1000)::int8`;
/** Rows per round trip when loading history at start. */
const LOAD_PAGE = 50_000;

interface HistoryRow {
  id: string;
  key: string;
  account_id: string;
  /** Username rows: the RadiusAccount holding the username. */
  owner_id: string | null;
  from_ms: number | string;
  to_ms: number | string | null;
}

interface SubnetHistory {
  /** The prefix as a map key (family, words, length). */
  subnet: string;
  prefix: Prefix;
  intervals: IntervalList;
}

/**
 * Which account owned address A (or RADIUS username U) at time t: the one component every
 * usage source asks.
 *
 * Everything comes from the history tables the database triggers keep (migration
 * AttributionHistory): open rows of ip_assignment_histories ARE the current assignments resolved
 * through the owner chain (Account, InventoryItem -> its account, RadiusAccount -> its account),
 * and closed rows say who held what before. So start() and every refresh read one source, and
 * every writer, in any process, is covered.
 *
 * - Lookups are synchronous and never touch the database.
 * - "Now" (any t at or after the latest change seen) answers from `current`, a longest-prefix index
 *   of the open assignments: a few typed-array probes.
 * - Earlier t answers from `history`: the same index over every subnet with intervals, walked from
 *   the longest matching prefix to shorter ones until one was held at t (longest-prefix match at t).
 * - refresh() applies what changed since the last sync; callers in this process call it right after
 *   committing an assignment change. A timer calls it every syncIntervalMs for other processes.
 *
 * Catching up without gaps: changes are found by transaction id (`attribution_changes.txid`), not
 * by row id, because a transaction that took a lower id may commit after a higher one was read.
 * Each sync first reads xmin of the current snapshot (every transaction below it has ended), then
 * everything logged by transactions >= the previous xmin. Rows seen twice are applied twice,
 * which is harmless: applying a history row is idempotent. (A session left idle in a transaction
 * holds xmin back, so polls re-read more rows until it ends: correct, only slower.)
 *
 * Do not call refresh() inside an open transaction: on PGlite the one connection is busy.
 */
export class AttributionService implements Attribution, RadiusAccountOwners {
  /** A component of the composition root (src/app.ts): started after the database, stopped before it. */
  readonly name = 'attribution';
  private current = new PrefixIndex();
  private openBySubnet = new Map<string, Interval>();
  private history = new PrefixIndex();
  private subnetHistories: SubnetHistory[] = [];
  /** Earliest interval start per history handle: a walk skips subnets not yet held at t without pointer chasing. */
  private handleEarliest: number[] = [];
  private historyHandles = new Map<string, number>();
  private freeHandles: number[] = [];
  /** Latest change time applied: lookups at or after it can use `current`. */
  private ipWatermarkMs = -Infinity;
  /** Earliest interval start held: before it nobody held anything (as far as memory goes). */
  private ipEarliestMs = Infinity;

  /** username -> its open interval, and the RadiusAccount holding it now. */
  private currentUsers = new Map<string, { interval: Interval; radiusAccountId: number | null }>();
  private userHistory = new Map<string, IntervalList>();
  private userWatermarkMs = -Infinity;

  /** Account ids above int32 (never in practice) are stored in the index as negative handles. */
  private bigAccounts: number[] = [];
  private bigAccountHandles = new Map<number, number>();

  private xmin: string | null = null;
  private reloadRequested = false;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private lastHousekeepingMs = 0;
  private lastSyncAt: Date | null = null;
  private syncErrors = 0;
  private readonly ipScratch = new Uint8Array(16);

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: AttributionSettings,
    private readonly logger?: Logger,
  ) {}

  /** Loads current assignments and the history window, then polls the change log. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.reload();
    this.schedule();
  }

  /** Rebuilds everything from the database (start() does this), serialized with refreshes. */
  reload(): Promise<void> {
    this.reloadRequested = true;
    return this.refresh();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await (this.queued ?? this.running)?.catch(() => {});
  }

  /**
   * Applies every change committed before this call. Concurrent calls share work: a call made
   * while a sync is running waits for one more sync that starts after it.
   */
  refresh(): Promise<void> {
    if (!this.running) return this.runSync();
    if (!this.queued) {
      this.queued = this.running.catch(() => {}).then(() => {
        this.queued = null;
        return this.runSync();
      });
    }
    return this.queued;
  }

  private async load(): Promise<void> {
    const started = Date.now();
    const xmin = await this.readXmin();
    const windowStart = `now() - make_interval(secs => ${Number(this.settings.historyDays) * 86400})`;
    const ipRows = await this.loadRows(
      `SELECT id, subnet::text AS key, account_id, NULL::bigint AS owner_id, assigned_datetime, removed_datetime FROM ip_assignment_histories
        WHERE (removed_datetime IS NULL OR removed_datetime >= ${windowStart})`,
    );
    const userRows = await this.loadRows(
      `SELECT id, username AS key, account_id, radius_account_id AS owner_id, assigned_datetime, removed_datetime FROM radius_account_histories
        WHERE (removed_datetime IS NULL OR removed_datetime >= ${windowStart})`,
    );
    const queried = Date.now();
    this.clear();
    for (const row of ipRows) this.applyIpRow(row);
    for (const row of userRows) this.applyUserRow(row);
    this.xmin = xmin;
    this.lastSyncAt = new Date();
    this.logger?.info(
      {
        prefixes: this.current.size,
        intervals: ipRows.length,
        usernames: this.currentUsers.size,
        queryMs: queried - started,
        buildMs: Date.now() - queried,
      },
      'attribution loaded',
    );
  }

  /**
   * Reads history rows in pages of LOAD_PAGE, each page as ONE text value (one line per row)
   * rather than LOAD_PAGE row objects: at 100 000+ rows the per-row cost of the drivers
   * (PGlite especially) dominates start-up, and splitting one string is cheap.
   * The key (subnet or username) is the last field, so a comma in a username stays harmless.
   */
  private async loadRows(select: string): Promise<HistoryRow[]> {
    const rows: HistoryRow[] = [];
    const pageSize = Math.max(1, Math.floor(this.settings.loadPageSize ?? LOAD_PAGE));
    let after = '0';
    for (;;) {
      const [page] = await this.dataSource.query(
        `SELECT string_agg(
                  concat_ws(',', id, account_id, coalesce(owner_id::text, ''),
                            ${epochMs('assigned_datetime')},
                            coalesce(${epochMs('removed_datetime')}::text, ''),
                            key),
                  chr(10)) AS data,
                max(id)::text AS last, count(*)::int AS n
           FROM (${select} AND id > $1::bigint ORDER BY id LIMIT ${pageSize}) page`,
        [after],
      );
      if (!page || page.data === null || page.data === undefined) break;
      for (const line of String(page.data).split('\n')) {
        const c1 = line.indexOf(',');
        const c2 = line.indexOf(',', c1 + 1);
        const c3 = line.indexOf(',', c2 + 1);
        const c4 = line.indexOf(',', c3 + 1);
        const c5 = line.indexOf(',', c4 + 1);
        const owner = line.slice(c2 + 1, c3);
        const to = line.slice(c4 + 1, c5);
        rows.push({
          id: line.slice(0, c1),
          account_id: line.slice(c1 + 1, c2),
          owner_id: owner === '' ? null : owner,
          from_ms: line.slice(c3 + 1, c4),
          to_ms: to === '' ? null : to,
          key: line.slice(c5 + 1),
        });
      }
      after = page.last;
      if (Number(page.n) < pageSize) break;
    }
    return rows;
  }

  // ---- lookups (synchronous, no database) ----

  accountForIPv4(address: number, atMs: number): number | null {
    if (atMs >= this.ipWatermarkMs) {
      const value = this.current.lookupV4(address);
      return value === null ? null : this.decode(value);
    }
    return this.pastV4(address >>> 0, atMs);
  }

  accountForIPv6(address: Uint8Array, atMs: number): number | null {
    if (address.length !== 16) return null;
    const a = wordOf(address, 0);
    const b = wordOf(address, 1);
    const c = wordOf(address, 2);
    const d = wordOf(address, 3);
    if (a === 0 && b === 0 && c === 0xffff) return this.accountForIPv4(d, atMs); // ::ffff:a.b.c.d is IPv4
    if (atMs >= this.ipWatermarkMs) {
      const value = this.current.lookupV6Words(a, b, c, d);
      return value === null ? null : this.decode(value);
    }
    return this.pastV6(a, b, c, d, atMs);
  }

  accountForIp(address: string, atMs: number): number | null {
    const v4 = parseIPv4(address);
    if (v4 >= 0) return this.accountForIPv4(v4, atMs);
    if (!parseIPv6(address, this.ipScratch)) return null;
    return this.accountForIPv6(this.ipScratch, atMs);
  }

  accountForUsername(username: string, atMs: number): number | null {
    if (atMs >= this.userWatermarkMs) return this.currentUsers.get(username)?.interval.accountId ?? null;
    return this.userHistory.get(username)?.accountAt(atMs) ?? null;
  }

  radiusAccountForUsername(username: string): number | null {
    return this.currentUsers.get(username)?.radiusAccountId ?? null;
  }

  /** Gauges read at scrape time (nothing on the lookup path); only one of them walks the history. */
  registerMetrics(registry: Registry): void {
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name: `usage_meter_attribution_${name}`,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    gauge('prefixes', 'Subnets currently assigned (in the in-memory index)', () => this.current.size);
    gauge('history_intervals', 'Assignment intervals held in memory for late usage', () => this.stats().historyIntervals);
    gauge('usernames', 'RADIUS usernames currently mapped to an account', () => this.currentUsers.size);
    gauge('sync_errors', 'Failed polls of the attribution change log since start', () => this.syncErrors);
    gauge('sync_age_seconds', 'Seconds since the last successful sync with the database', () =>
      this.lastSyncAt ? (Date.now() - this.lastSyncAt.getTime()) / 1000 : -1,
    );
  }

  stats(): AttributionStats {
    let historyIntervals = 0;
    for (const h of this.subnetHistories) if (h) historyIntervals += h.intervals.length;
    return {
      currentPrefixes: this.current.size,
      historySubnets: this.history.size,
      historyIntervals,
      currentUsernames: this.currentUsers.size,
      lastSyncAt: this.lastSyncAt,
      syncErrors: this.syncErrors,
    };
  }

  private pastV4(address: number, atMs: number): number | null {
    if (atMs < this.ipEarliestMs) return null;
    let maxLength = 32;
    while (maxLength >= 0) {
      const handle = this.history.lookupV4(address, maxLength);
      if (handle === null) return null;
      if (atMs >= this.handleEarliest[handle]) {
        const account = this.subnetHistories[handle].intervals.accountAt(atMs);
        if (account !== null) return account;
      }
      maxLength = this.history.matchedLength - 1;
    }
    return null;
  }

  private pastV6(a: number, b: number, c: number, d: number, atMs: number): number | null {
    if (atMs < this.ipEarliestMs) return null;
    let maxLength = 128;
    while (maxLength >= 0) {
      const handle = this.history.lookupV6Words(a, b, c, d, maxLength);
      if (handle === null) return null;
      if (atMs >= this.handleEarliest[handle]) {
        const account = this.subnetHistories[handle].intervals.accountAt(atMs);
        if (account !== null) return account;
      }
      maxLength = this.history.matchedLength - 1;
    }
    return null;
  }

  // ---- sync ----

  private runSync(): Promise<void> {
    const run = this.sync().finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }

  private async sync(): Promise<void> {
    if (this.xmin === null || this.reloadRequested) {
      this.reloadRequested = false;
      return this.load();
    }
    const xmin = await this.readXmin();
    const rows: (HistoryRow & { kind: 'ip' | 'username' })[] = await this.dataSource.query(
      `
      WITH changed AS (
        SELECT DISTINCT kind, history_id FROM attribution_changes WHERE txid >= $1::bigint
      )
      SELECT 'ip' AS kind, h.id::text AS id, h.subnet::text AS key, h.account_id::text AS account_id, NULL AS owner_id,
             ${epochMs('h.assigned_datetime')} AS from_ms,
             ${epochMs('h.removed_datetime')} AS to_ms
        FROM changed c JOIN ip_assignment_histories h ON c.kind = 'ip' AND h.id = c.history_id
      UNION ALL
      SELECT 'username', r.id::text, r.username, r.account_id::text, r.radius_account_id::text,
             ${epochMs('r.assigned_datetime')},
             ${epochMs('r.removed_datetime')}
        FROM changed c JOIN radius_account_histories r ON c.kind = 'username' AND r.id = c.history_id`,
      [this.xmin],
    );
    // Any order will do: applying a row is idempotent and order-independent (see applyIpRow).
    for (const row of rows) {
      if (row.kind === 'ip') this.applyIpRow(row);
      else this.applyUserRow(row);
    }
    this.xmin = xmin;
    this.lastSyncAt = new Date();
    if (Date.now() - this.lastHousekeepingMs > HOUSEKEEPING_MS) await this.housekeeping();
  }

  private async readXmin(): Promise<string> {
    const [row] = await this.dataSource.query(`SELECT txid_snapshot_xmin(txid_current_snapshot())::text AS xmin`);
    return String(row.xmin);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.refresh()
        .catch((error: unknown) => {
          this.syncErrors++;
          this.logger?.warn({ err: error }, 'attribution sync failed; retrying at the next interval');
        })
        .finally(() => this.schedule());
    }, this.settings.syncIntervalMs);
    this.timer.unref();
  }

  /** Drops intervals that left the history window and trims the shared change log. */
  private async housekeeping(): Promise<void> {
    this.lastHousekeepingMs = Date.now();
    const cutoff = Date.now() - this.settings.historyDays * DAY_MS;
    for (let handle = 0; handle < this.subnetHistories.length; handle++) {
      const h = this.subnetHistories[handle];
      if (!h) continue;
      h.intervals.pruneEndedBefore(cutoff);
      if (h.intervals.length > 0) this.handleEarliest[handle] = h.intervals.items[0].fromMs;
      if (h.intervals.length === 0) {
        this.history.delete(h.prefix);
        this.historyHandles.delete(h.subnet);
        delete (this.subnetHistories as (SubnetHistory | undefined)[])[handle];
        this.freeHandles.push(handle);
      }
    }
    for (const [username, list] of this.userHistory) {
      list.pruneEndedBefore(cutoff);
      if (list.length === 0) this.userHistory.delete(username);
    }
    await this.dataSource.query(`DELETE FROM attribution_changes WHERE at < now() - interval '${CHANGE_LOG_RETENTION}'`);
  }

  // ---- applying history rows (idempotent) ----

  private applyIpRow(row: HistoryRow): void {
    const prefix = parseCidr(row.key);
    if (!prefix) {
      this.logger?.warn({ subnet: row.key }, 'attribution: unparsable subnet in history, skipped');
      return;
    }
    const id = Number(row.id);
    const accountId = Number(row.account_id);
    const fromMs = Number(row.from_ms);
    const toMs = row.to_ms === null ? Infinity : Number(row.to_ms);
    // Keyed by the parsed prefix, not the text: '::ffff:10.0.0.0/120' and '10.0.0.0/24' are two cidr
    // values but one set of addresses (one index key), so they must share the bookkeeping.
    const key = prefix.v6
      ? `${prefix.w0}:${prefix.w1}:${prefix.w2}:${prefix.w3}/${prefix.length}`
      : `${prefix.w0}/${prefix.length}`;

    let handle = this.historyHandles.get(key);
    if (handle === undefined) {
      handle = this.freeHandles.pop() ?? this.subnetHistories.length;
      this.subnetHistories[handle] = { subnet: key, prefix, intervals: new IntervalList() };
      this.historyHandles.set(key, handle);
      this.history.set(prefix, handle);
    }
    const intervals = this.subnetHistories[handle].intervals;
    const interval = intervals.upsert(id, fromMs, toMs, accountId);
    this.handleEarliest[handle] = intervals.items[0].fromMs;

    // `current` follows the newest open row of the subnet; a closed row only removes the subnet
    // if it is the one `current` follows (an older row closed late must not undo a newer one).
    const open = this.openBySubnet.get(key);
    if (toMs === Infinity) {
      if (!open || open.id <= id) {
        this.openBySubnet.set(key, interval);
        this.current.set(prefix, this.encode(accountId));
      }
    } else if (open && open.id === id) {
      this.openBySubnet.delete(key);
      this.current.delete(prefix);
    }
    this.ipWatermarkMs = Math.max(this.ipWatermarkMs, fromMs, toMs === Infinity ? fromMs : toMs);
    if (fromMs < this.ipEarliestMs) this.ipEarliestMs = fromMs;
  }

  private applyUserRow(row: HistoryRow): void {
    const id = Number(row.id);
    const accountId = Number(row.account_id);
    const fromMs = Number(row.from_ms);
    const toMs = row.to_ms === null ? Infinity : Number(row.to_ms);
    let list = this.userHistory.get(row.key);
    if (!list) {
      list = new IntervalList();
      this.userHistory.set(row.key, list);
    }
    const interval = list.upsert(id, fromMs, toMs, accountId);
    const open = this.currentUsers.get(row.key);
    if (toMs === Infinity) {
      if (!open || open.interval.id <= id) this.currentUsers.set(row.key, { interval, radiusAccountId: row.owner_id === null ? null : Number(row.owner_id) });
    } else if (open && open.interval.id === id) {
      this.currentUsers.delete(row.key);
    }
    this.userWatermarkMs = Math.max(this.userWatermarkMs, fromMs, toMs === Infinity ? fromMs : toMs);
  }

  private clear(): void {
    this.current = new PrefixIndex();
    this.openBySubnet.clear();
    this.history = new PrefixIndex();
    this.subnetHistories = [];
    this.handleEarliest = [];
    this.historyHandles.clear();
    this.freeHandles = [];
    this.ipWatermarkMs = -Infinity;
    this.ipEarliestMs = Infinity;
    this.currentUsers.clear();
    this.userHistory.clear();
    this.userWatermarkMs = -Infinity;
  }

  private encode(accountId: number): number {
    if (accountId >= 0 && accountId <= 0x7fffffff) return accountId;
    let handle = this.bigAccountHandles.get(accountId);
    if (handle === undefined) {
      handle = this.bigAccounts.push(accountId) - 1;
      this.bigAccountHandles.set(accountId, handle);
    }
    return -(handle + 1);
  }

  private decode(value: number): number {
    return value >= 0 ? value : this.bigAccounts[-value - 1];
  }
}

/**
 * The factory for the composition root:
 *   const attribution = createAttributionService(dataSource, config.attribution, logger);
 *   components: [database, attribution, ...ingesters]   (it is a Component: name/start/stop)
 * Callers that change assignments in this process call `attribution.refresh()` after committing.
 */
export function createAttributionService(
  dataSource: DataSource,
  settings: AttributionSettings,
  logger?: Logger,
): AttributionService {
  return new AttributionService(dataSource, settings, logger?.child({ component: 'attribution' }));
}
