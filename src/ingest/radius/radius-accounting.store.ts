import type { DataSource, EntityManager } from 'typeorm';
import type { Attribution, RadiusAccountOwners } from '../../attribution/attribution';
import type { Ledger, UnattributedIncrement, UsageIncrement } from '../../usage/ledger';
import { defaultRecordByteLimit, RecordByteLimit } from '../../usage/plausible-bytes';
import type { AccountingRequest } from './radius.decoder';
import { applySessionEvent, eventTimeMs, octetTotal, SessionCounters, SessionEvent, SessionStep } from './session-counter.math';

export const RADIUS_SOURCE_PARENT = 'RADIUS';

/** One authenticated, decoded Accounting-Request waiting to be stored. */
export interface AccountingItem {
  request: AccountingRequest;
  /** NAS identity: NAS-IP-Address / NAS-IPv6-Address, else the datagram's source address. */
  nasAddress: string;
  receivedMs: number;
}

/** What one committed batch did, for counters. */
export interface CommitSummary {
  sessionsOpened: number;
  sessionsClosed: number;
  staleRequests: number;
  inBytes: bigint;
  outBytes: bigint;
  unattributedBytes: bigint;
  assignmentsChanged: boolean;
  /** Requests whose counters the edge rule refused (`implausible_bytes`), per NAS. */
  implausible: Map<string, number>;
}

interface SessionRow {
  /** Database id and version when the row exists (optimistic concurrency), null for a new session. */
  id: string | null;
  version: number;
  key: string;
  nas: string;
  sessionId: string;
  username: string | null;
  accountId: number | null;
  radiusAccountId: number | null;
  counters: SessionCounters;
  ip: string | null;
  ipv6Prefix: string | null;
  delegatedPrefix: string | null;
  inBytes: bigint;
  outBytes: bigint;
  dirty: boolean;
  /** Addresses (with owner) this session held as soft assignments before the batch. */
  heldBefore: string[];
}

/** Session key: NAS + Acct-Session-Id (RFC 2866 makes the id unique per NAS only). */
export function sessionKey(nas: string, sessionId: string): string {
  return `${nas}|${sessionId}`;
}

/**
 * The write side of the accounting server: stores a batch of requests in ONE transaction
 * (group commit). The caller replies to every request of the batch only after `commit`
 * resolves; if it throws nothing was stored and nothing must be acknowledged.
 *
 * Idempotent by construction: each session's last cumulative totals are stored state, so a
 * request repeating totals already applied credits 0 whatever its Identifier.
 */
export class RadiusAccountingStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly attribution: Attribution & RadiusAccountOwners,
    private readonly ledger: Ledger,
    options: { cacheMax?: number; recordLimit?: RecordByteLimit } = {},
  ) {
    this.cacheMax = options.cacheMax ?? 200_000;
    this.limit = options.recordLimit ?? defaultRecordByteLimit;
  }

  private readonly limit: RecordByteLimit;

  /**
   * Sessions as committed by this store, so Interims of known sessions need no SELECT. The
   * cache is only ever a copy of committed rows; the UPDATE still checks each row's version,
   * so a row changed behind our back fails the batch (unacknowledged) and is evicted here.
   */
  private readonly cache = new Map<string, SessionRow>();
  private readonly cacheMax: number;

  async commit(items: AccountingItem[]): Promise<CommitSummary> {
    try {
      return await this.commitOnce(items, new Set());
    } catch (err) {
      if (!(err instanceof SessionsAlreadyStoredError)) throw err;
      // A Start for a session we assumed new (no SELECT) was stored already: a Start sent
      // again with a new Identifier, or one the cache had forgotten. Redo the batch with those
      // sessions read first; the rolled-back attempt left nothing behind.
      return this.commitOnce(items, new Set(err.keys));
    }
  }

  private async commitOnce(items: AccountingItem[], mustLoad: Set<string>): Promise<CommitSummary> {
    const touched = new Map<string, SessionRow>();
    const nasReset = new Set<string>();
    try {
      const summary = await this.dataSource.transaction((manager) => this.commitIn(manager, items, touched, nasReset, mustLoad));
      for (const nas of nasReset) this.evictNas(nas);
      // The batch is done with these objects: they become the cache entries (loads clone them).
      for (const [key, row] of touched) {
        this.cache.delete(key);
        row.dirty = false;
        this.cache.set(key, row);
      }
      while (this.cache.size > this.cacheMax) this.cache.delete(this.cache.keys().next().value!);
      return summary;
    } catch (err) {
      for (const nas of nasReset) this.evictNas(nas);
      for (const item of items) if (item.request.sessionId !== null) this.cache.delete(sessionKey(item.nasAddress, item.request.sessionId));
      throw err;
    }
  }

  private evictNas(nas: string): void {
    for (const [key, row] of this.cache) if (row.nas === nas) this.cache.delete(key);
  }

  private async commitIn(
    manager: EntityManager,
    items: AccountingItem[],
    touched: Map<string, SessionRow>,
    nasReset: Set<string>,
    mustLoad: ReadonlySet<string>,
  ): Promise<CommitSummary> {
    const summary: CommitSummary = {
      sessionsOpened: 0, sessionsClosed: 0, staleRequests: 0, inBytes: 0n, outBytes: 0n, unattributedBytes: 0n, assignmentsChanged: false, implausible: new Map(),
    };
    const { keys, presumedNew } = sessionKeysOf(items, mustLoad);
    const sessions = await this.loadSessions(manager, [...keys], presumedNew);
    for (const item of items) if (item.request.status === 'Accounting-On' || item.request.status === 'Accounting-Off') nasReset.add(item.nasAddress);

    const usage: UsageIncrement[] = [];
    const unattributed: UnattributedIncrement[] = [];
    // Net effect of the batch on soft assignments. A release only cancels the same owner's
    // claim: another session may have taken the address over in this very batch.
    const released = new Map<string, { subnet: string; owner: number }>(); // key subnet|owner
    const claimed = new Map<string, { owner: number; reference: string }>(); // key subnet
    const release = (subnet: string, owner: number) => {
      released.set(`${subnet}|${owner}`, { subnet, owner });
      if (claimed.get(subnet)?.owner === owner) claimed.delete(subnet);
    };
    const claim = (subnet: string, owner: number, reference: string) => {
      claimed.set(subnet, { owner, reference });
      released.delete(`${subnet}|${owner}`);
    };

    for (const item of items) {
      const r = item.request;
      const atMs = eventTimeMs(item.receivedMs, r.eventTimestampS !== undefined ? r.eventTimestampS * 1000 : undefined, r.delayTimeS);
      if (r.status === 'Accounting-On' || r.status === 'Accounting-Off') {
        // The NAS rebooted: every session it had open is over. Write what we have first so
        // the UPDATE sees it, then close the rest in the database.
        await this.flushSessions(manager, sessions);
        const closed = await this.closeNasSessions(manager, item.nasAddress, atMs, r.status === 'Accounting-On' ? 'NAS-Reboot' : 'NAS-Request');
        for (const c of closed) {
          const row = sessions.get(c.key);
          if (row) {
            row.counters = { ...row.counters, endMs: atMs, terminateCause: c.reason };
            row.heldBefore = [];
            row.version = c.version;
          }
          for (const subnet of c.subnets) if (c.radiusAccountId !== null) release(subnet, c.radiusAccountId);
        }
        summary.sessionsClosed += closed.length;
        summary.assignmentsChanged ||= closed.some((c) => c.subnets.length > 0);
        continue;
      }

      const key = sessionKey(item.nasAddress, r.sessionId!);
      let row = sessions.get(key);
      const event: SessionEvent = {
        status: r.status,
        atMs,
        inputTotal: octetTotal(r.inputOctets, r.inputGigawords),
        outputTotal: octetTotal(r.outputOctets, r.outputGigawords),
        inputGigawords: r.inputGigawords !== undefined,
        outputGigawords: r.outputGigawords !== undefined,
        terminateCause: r.terminateCause,
        sessionTimeS: r.sessionTimeS,
      };
      let step = applySessionEvent(row ? row.counters : null, event);
      if (!this.plausible(step, atMs)) {
        summary.implausible.set(item.nasAddress, (summary.implausible.get(item.nasAddress) ?? 0) + 1);
        // Its counters are dropped, not taken as the session's new totals (the next request's
        // delta then counts from the last plausible ones); the rest of what it says stands.
        const totals = row?.counters ?? { inputTotal: 0n, outputTotal: 0n };
        step = applySessionEvent(row ? row.counters : null, { ...event, inputTotal: totals.inputTotal, outputTotal: totals.outputTotal });
      }
      const username = r.userName ?? row?.username ?? null;
      const accountId = username !== null ? this.attribution.accountForUsername(username, atMs) : null;
      if (!row) {
        row = {
          id: null, version: 0, key, nas: item.nasAddress, sessionId: r.sessionId!, username, accountId, radiusAccountId: null,
          counters: step.next, ip: null, ipv6Prefix: null, delegatedPrefix: null, inBytes: 0n, outBytes: 0n, dirty: true, heldBefore: [],
        };
        sessions.set(key, row);
        summary.sessionsOpened++;
      }
      if (step.stale && !row.dirty && step.next === row.counters) {
        summary.staleRequests++;
        continue;
      }
      if (step.stale) summary.staleRequests++;
      row.counters = step.next;
      if (username !== null && (row.radiusAccountId === null || username !== row.username)) {
        // The owner of the session's soft assignments: fixed once known, so the Stop releases
        // exactly what the Start claimed even if the username moved meanwhile.
        row.radiusAccountId = this.attribution.radiusAccountForUsername(username) ?? row.radiusAccountId;
      }
      row.username = username;
      if (accountId !== null) row.accountId = accountId;
      row.ip = r.framedIp ?? row.ip;
      row.ipv6Prefix = r.framedIpv6Prefix ?? row.ipv6Prefix;
      row.delegatedPrefix = r.delegatedIpv6Prefix ?? row.delegatedPrefix;
      row.inBytes += step.inBytes;
      row.outBytes += step.outBytes;
      row.dirty = true;
      if (step.closed) summary.sessionsClosed++;

      if (step.inBytes > 0n || step.outBytes > 0n) {
        const source = { parent: RADIUS_SOURCE_PARENT, identifier: item.nasAddress };
        if (accountId !== null) {
          usage.push({ accountId, source, timeMs: atMs, inBytes: step.inBytes, outBytes: step.outBytes });
          summary.inBytes += step.inBytes;
          summary.outBytes += step.outBytes;
        } else {
          summary.unattributedBytes += step.inBytes + step.outBytes;
          // The unattributed report is keyed by address: without one there is nothing to list.
          if (row.ip !== null) unattributed.push({ ip: row.ip, source, timeMs: atMs, inBytes: step.inBytes, outBytes: step.outBytes });
        }
      }

      // Soft IP assignments: held while the session is open.
      if (row.radiusAccountId !== null) {
        const subnets = sessionSubnets(row);
        if (row.counters.endMs !== null) {
          // Only the Stop that closes the session releases: a late duplicate must not take an
          // address the same login holds again in a newer session.
          for (const subnet of new Set([...(step.closed ? subnets : []), ...row.heldBefore])) release(subnet, row.radiusAccountId);
          row.heldBefore = [];
        } else {
          for (const subnet of row.heldBefore) if (!subnets.includes(subnet)) release(subnet, row.radiusAccountId);
          for (const subnet of subnets) {
            if (!row.heldBefore.includes(subnet)) claim(subnet, row.radiusAccountId, key);
          }
          row.heldBefore = subnets;
        }
      }
    }

    await this.flushSessions(manager, sessions);
    if (usage.length || unattributed.length) await this.ledger.record(manager, usage, unattributed);
    if (released.size || claimed.size) {
      await writeSoftAssignments(manager, [...released.values()], claimed);
      summary.assignmentsChanged = true;
    }
    for (const [key, row] of sessions) touched.set(key, row);
    return summary;
  }

  /**
   * The edge rule every source applies (plausible-bytes.ts): what a request credits, per
   * direction, is at most what the session could have carried since it started.
   */
  private plausible(step: SessionStep, atMs: number): boolean {
    if (step.inBytes === 0n && step.outBytes === 0n) return true;
    const startMs = step.next.startMs;
    const seconds = startMs === null ? 0 : (atMs - startMs) / 1000;
    return this.limit.plausibleBytes(step.inBytes, 1, seconds) !== null && this.limit.plausibleBytes(step.outBytes, 1, seconds) !== null;
  }

  /** The batch's sessions: from the cache, else from the table unless presumed new. */
  private async loadSessions(manager: EntityManager, allKeys: string[], presumedNew: ReadonlySet<string>): Promise<Map<string, SessionRow>> {
    const sessions = new Map<string, SessionRow>();
    const keys: string[] = [];
    for (const key of allKeys) {
      const cached = this.cache.get(key);
      if (cached) sessions.set(key, cloneRow(cached));
      else if (!presumedNew.has(key)) keys.push(key);
    }
    if (!keys.length) return sessions;
    const rows: Array<Record<string, string | null>> = await manager.query(
      `SELECT id::text AS id, version, session_key, host(nas_ip_address) AS nas, account_session_id, username, account_id, radius_account_id,
              (extract(epoch from start) * 1000)::float8 AS start_ms, (extract(epoch from "end") * 1000)::float8 AS end_ms,
              (extract(epoch from last_event_at) * 1000)::float8 AS last_ms, terminate_reason,
              host(ip_address) AS ip, ipv6_prefix::text AS ipv6_prefix, delegated_ipv6_prefix::text AS delegated_prefix,
              input_octets_total, output_octets_total, in_bytes, out_bytes
         FROM radius_sessions WHERE session_key = ANY($1::text[])`,
      [keys],
    );
    for (const r of rows) {
      const row: SessionRow = {
        id: r.id,
        version: Number(r.version),
        key: r.session_key!,
        nas: r.nas!,
        sessionId: r.account_session_id!,
        username: r.username,
        accountId: r.account_id === null ? null : Number(r.account_id),
        radiusAccountId: r.radius_account_id === null ? null : Number(r.radius_account_id),
        counters: {
          inputTotal: BigInt(r.input_octets_total!),
          outputTotal: BigInt(r.output_octets_total!),
          lastEventMs: Number(r.last_ms),
          startMs: r.start_ms === null ? null : Number(r.start_ms),
          endMs: r.end_ms === null ? null : Number(r.end_ms),
          terminateCause: r.terminate_reason,
        },
        ip: r.ip,
        ipv6Prefix: r.ipv6_prefix,
        delegatedPrefix: r.delegated_prefix,
        inBytes: BigInt(r.in_bytes!),
        outBytes: BigInt(r.out_bytes!),
        dirty: false,
        heldBefore: [],
      };
      if (row.counters.endMs === null) row.heldBefore = sessionSubnets(row);
      sessions.set(row.key, row);
    }
    return sessions;
  }

  /**
   * Writes every session the batch touched: one INSERT for new sessions, one UPDATE for known
   * ones. No row locks: the rows were read without FOR UPDATE, and the UPDATE only applies
   * where the version is still the one read (optimistic concurrency). If another writer got
   * there first (a second service on the same database), the counts differ and the whole
   * batch rolls back unacknowledged; the NAS retransmits and the retry reads fresh state.
   */
  private async flushSessions(manager: EntityManager, sessions: Map<string, SessionRow>): Promise<void> {
    const dirty = [...sessions.values()].filter((s) => s.dirty);
    if (!dirty.length) return;
    const fresh = dirty.filter((s) => s.id === null);
    const known = dirty.filter((s) => s.id !== null);
    // Both writes in one statement (one round trip), as data-modifying CTEs.
    const insertSql = (p: number) => `INSERT INTO radius_sessions (session_key, nas_ip_address, account_session_id, username, account_id, radius_account_id,
                start, "end", last_event_at, terminate_reason, ip_address, ipv6_prefix, delegated_ipv6_prefix,
                input_octets_total, output_octets_total, in_bytes, out_bytes)
         SELECT k, nas, sid, u, a, ra, to_timestamp(s / 1000), to_timestamp(e / 1000), to_timestamp(l / 1000), tr, ip, p6, d6, it, ot, ib, ob
           FROM unnest($${p}::text[], $${p + 1}::inet[], $${p + 2}::text[], $${p + 3}::text[], $${p + 4}::bigint[], $${p + 5}::bigint[],
                $${p + 6}::float8[], $${p + 7}::float8[], $${p + 8}::float8[], $${p + 9}::text[], $${p + 10}::inet[], $${p + 11}::cidr[], $${p + 12}::cidr[],
                $${p + 13}::numeric[], $${p + 14}::numeric[], $${p + 15}::numeric[], $${p + 16}::numeric[])
             AS x(k, nas, sid, u, a, ra, s, e, l, tr, ip, p6, d6, it, ot, ib, ob)
         ON CONFLICT (session_key) DO NOTHING
         RETURNING id::text AS id, session_key`;
    const updateSql = (p: number) => `UPDATE radius_sessions r SET username = x.u, account_id = x.a, radius_account_id = x.ra,
                start = to_timestamp(x.s / 1000), "end" = to_timestamp(x.e / 1000), last_event_at = to_timestamp(x.l / 1000),
                terminate_reason = x.tr, ip_address = x.ip, ipv6_prefix = x.p6, delegated_ipv6_prefix = x.d6,
                input_octets_total = x.it, output_octets_total = x.ot, in_bytes = x.ib, out_bytes = x.ob,
                updated_at = now(), version = r.version + 1
           FROM unnest($${p}::bigint[], $${p + 1}::int[], $${p + 2}::text[], $${p + 3}::bigint[], $${p + 4}::bigint[],
                $${p + 5}::float8[], $${p + 6}::float8[], $${p + 7}::float8[], $${p + 8}::text[], $${p + 9}::inet[], $${p + 10}::cidr[], $${p + 11}::cidr[],
                $${p + 12}::numeric[], $${p + 13}::numeric[], $${p + 14}::numeric[], $${p + 15}::numeric[])
             AS x(id, v, u, a, ra, s, e, l, tr, ip, p6, d6, it, ot, ib, ob)
          WHERE r.id = x.id AND r.version = x.v
          RETURNING r.id::text AS id`;
    const insertParams = fresh.length ? [fresh.map((s) => s.key), fresh.map((s) => s.nas), fresh.map((s) => s.sessionId), ...mutableColumns(fresh)] : [];
    const updateParams = known.length ? [known.map((s) => s.id), known.map((s) => s.version), ...mutableColumns(known)] : [];
    let inserted: Array<{ id: string; session_key: string }> = [];
    let updatedCount = 0;
    if (fresh.length && known.length) {
      const rows = rowsOf<{ id: string; session_key: string | null }>(await manager.query(
        `WITH ins AS (${insertSql(1)}), upd AS (${updateSql(18)})
         SELECT id, session_key FROM ins UNION ALL SELECT id, NULL FROM upd`,
        [...insertParams, ...updateParams],
      ));
      inserted = rows.filter((r): r is { id: string; session_key: string } => r.session_key !== null);
      updatedCount = rows.length - inserted.length;
    } else if (fresh.length) {
      inserted = rowsOf(await manager.query(insertSql(1), insertParams));
    } else if (known.length) {
      updatedCount = rowsOf(await manager.query(updateSql(1), updateParams)).length;
    }
    if (inserted.length !== fresh.length) {
      const stored = new Set(inserted.map((r) => r.session_key));
      throw new SessionsAlreadyStoredError(fresh.filter((s) => !stored.has(s.key)).map((s) => s.key));
    }
    if (updatedCount !== known.length) throw new ConcurrentWriteError('a session was changed concurrently by another writer');
    const ids = new Map(inserted.map((r) => [r.session_key, r.id]));
    for (const s of fresh) {
      s.id = ids.get(s.key)!;
      s.version = 1;
    }
    for (const s of known) s.version++;
    for (const s of dirty) s.dirty = false;
  }

  private async closeNasSessions(
    manager: EntityManager,
    nas: string,
    atMs: number,
    reason: string,
  ): Promise<Array<{ key: string; version: number; reason: string; radiusAccountId: number | null; subnets: string[] }>> {
    type Closed = { session_key: string; version: number; radius_account_id: string | null; ip: string | null; ipv6_prefix: string | null; delegated_prefix: string | null };
    const result: [Closed[], number] | Closed[] =
      await manager.query(
        `UPDATE radius_sessions SET "end" = greatest(to_timestamp($2::float8 / 1000), start), terminate_reason = $3,
                updated_at = now(), version = version + 1
          WHERE nas_ip_address = $1::inet AND "end" IS NULL
        RETURNING session_key, version, radius_account_id, host(ip_address) AS ip, ipv6_prefix::text AS ipv6_prefix, delegated_ipv6_prefix::text AS delegated_prefix`,
        [nas, atMs, reason],
      );
    const rows = rowsOf<Closed>(result);
    return rows.map((r) => ({
      key: r.session_key,
      version: Number(r.version),
      reason,
      radiusAccountId: r.radius_account_id === null ? null : Number(r.radius_account_id),
      subnets: sessionSubnets({ ip: r.ip, ipv6Prefix: r.ipv6_prefix, delegatedPrefix: r.delegated_prefix }),
    }));
  }
}

/**
 * The batch's soft-assignment changes in one statement. A claim takes a subnet over from any
 * soft holder (a session whose Stop was lost, or the login that just released it in this very
 * batch); a static (soft = false) assignment never yields. A release removes only the
 * releaser's own row, and is left to the claim when the subnet is claimed again in the batch:
 * the DELETE and the upsert then never touch the same row, which one statement requires.
 */
async function writeSoftAssignments(
  manager: EntityManager,
  released: Array<{ subnet: string; owner: number }>,
  claimed: Map<string, { owner: number; reference: string }>,
): Promise<void> {
  const releases = released.filter((r) => !claimed.has(r.subnet));
  await manager.query(
    `WITH released AS (
       DELETE FROM ip_assignments a USING unnest($1::cidr[], $2::bigint[]) AS r(subnet, owner)
        WHERE a.subnet = r.subnet AND a.soft AND a.ipassignmentable_type = 'RadiusAccount' AND a.ipassignmentable_id = r.owner
     )
     INSERT INTO ip_assignments AS a (subnet, ipassignmentable_type, ipassignmentable_id, soft, description, reference)
     SELECT c.subnet, 'RadiusAccount', c.owner, true, 'RADIUS session', c.reference
       FROM unnest($3::cidr[], $4::bigint[], $5::text[]) AS c(subnet, owner, reference)
     ON CONFLICT (subnet) DO UPDATE
        SET ipassignmentable_type = excluded.ipassignmentable_type, ipassignmentable_id = excluded.ipassignmentable_id,
            description = excluded.description, reference = excluded.reference, updated_at = now()
      WHERE a.soft`,
    [
      releases.map((r) => r.subnet),
      releases.map((r) => String(r.owner)),
      [...claimed.keys()],
      [...claimed.values()].map((c) => String(c.owner)),
      [...claimed.values()].map((c) => c.reference),
    ],
  );
}

function cloneRow(row: SessionRow): SessionRow {
  return { ...row, counters: { ...row.counters }, heldBefore: [...row.heldBefore], dirty: false };
}

/** Another writer changed a session between our read and our write: the batch is retried by the NAS. */
export class ConcurrentWriteError extends Error {}

/** Sessions written as new were in the table already (see `sessionKeysOf`). */
class SessionsAlreadyStoredError extends ConcurrentWriteError {
  constructor(readonly keys: string[]) {
    super(`${keys.length} session(s) believed new were stored already`);
  }
}

/**
 * The sessions a batch touches, and those of them it need not look for in the table: the ones
 * whose first request in the batch is a Start. A Start opens a new session, so the read would
 * find nothing almost always; it is inserted as new instead, and in the rare case it was stored
 * already (the NAS sent the Start again), the insert finds it and the batch is redone with it
 * read (`mustLoad`).
 */
function sessionKeysOf(items: AccountingItem[], mustLoad: ReadonlySet<string>): { keys: Set<string>; presumedNew: Set<string> } {
  const keys = new Set<string>();
  const presumedNew = new Set<string>();
  for (const { request, nasAddress } of items) {
    if (request.sessionId === null || !isSessionStatus(request.status)) continue;
    const key = sessionKey(nasAddress, request.sessionId);
    if (keys.has(key)) continue;
    keys.add(key);
    if (request.status === 'Start' && !mustLoad.has(key)) presumedNew.add(key);
  }
  return { keys, presumedNew };
}

/** TypeORM returns [rows, affected] for UPDATE ... RETURNING on the postgres driver, rows otherwise. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

/** The columns an update may change, as parallel arrays in the order both statements expect. */
function mutableColumns(rows: SessionRow[]): unknown[][] {
  return [
    rows.map((s) => s.username),
    rows.map((s) => (s.accountId === null ? null : String(s.accountId))),
    rows.map((s) => (s.radiusAccountId === null ? null : String(s.radiusAccountId))),
    rows.map((s) => s.counters.startMs),
    rows.map((s) => s.counters.endMs),
    rows.map((s) => s.counters.lastEventMs),
    rows.map((s) => s.counters.terminateCause),
    rows.map((s) => s.ip),
    rows.map((s) => s.ipv6Prefix),
    rows.map((s) => s.delegatedPrefix),
    rows.map((s) => s.counters.inputTotal.toString()),
    rows.map((s) => s.counters.outputTotal.toString()),
    rows.map((s) => s.inBytes.toString()),
    rows.map((s) => s.outBytes.toString()),
  ];
}

function isSessionStatus(status: AccountingRequest['status']): status is 'Start' | 'Stop' | 'Interim-Update' {
  return status === 'Start' || status === 'Stop' || status === 'Interim-Update';
}

function hostSubnet(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

function sessionSubnets(row: Pick<SessionRow, 'ip' | 'ipv6Prefix' | 'delegatedPrefix'>): string[] {
  return [row.ip ? hostSubnet(row.ip) : null, row.ipv6Prefix, row.delegatedPrefix].filter((s): s is string => s !== null);
}
