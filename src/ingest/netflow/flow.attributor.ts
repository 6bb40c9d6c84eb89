import { accountIdOf } from '../../accounts/account-id';
import type { Attribution } from '../../attribution/attribution';
import { formatIPv4, formatIPv6, parseIPv4 } from '../../net/ip';
import type { PrefixIndex } from '../../net/prefix-index';
import type { UsageSource, UsageWriter } from '../../usage/ledger';
import type { FlowRecord } from './flow-record';

/** Bytes credited in one batch, for the counters: plain numbers (a count past 2^53 may round; the ledger's rows never do). */
export interface AttributionTotals {
  attributed: number;
  unattributed: number;
}

/**
 * Bytes of one (account or address, second). Plain numbers on the hot path; a sum that would pass
 * 2^53 (possible: each record may carry up to the edge rule's floor, 4.5e14 bytes by default) moves
 * what the cell holds into the exact bigint part first, so no byte is lost to rounding.
 */
type Cell = { key: number | string; sec: number; inB: number; outB: number; exactIn: bigint; exactOut: bigint };

/** One flat map per batch: key = id·2^21 + (second mod 2^21); a rare clash falls back to a string key. */
const SEC_SPAN = 2 ** 21;

/**
 * Turns flow records into ledger increments: the attribution rule of Sonar's collector,
 * aggregated per (account, second) inside a batch so the ledger sees one increment per
 * account and second instead of one per flow. Plain numbers on the hot path; bigint once per
 * aggregated cell at flush.
 */
export class FlowAccumulator {
  private readonly accounts = new Map<number | string, Cell>();
  private readonly unattributed = new Map<number | string, Cell>();
  readonly totals: AttributionTotals = { attributed: 0, unattributed: 0 };

  constructor(
    private readonly attribution: Attribution,
    readonly source: UsageSource,
  ) {}

  /**
   * NetFlow rule: source owned → upload for it, destination owned → download, both → both,
   * neither → unattributed under both addresses (inside the whitelist, when one is set).
   * `fwd` / `rev`: the record's bytes in each direction, already scaled by its sampling rate and
   * checked at the edge (RecordByteLimit). `whitelist` non-null = whitelist mode.
   */
  addFlow(r: FlowRecord, fwd: number, rev: number, whitelist: PrefixIndex | null): void {
    if (fwd === 0 && rev === 0) return;
    const t = r.timeMs;
    let srcIn = true;
    let dstIn = true;
    let srcAcc: number | null;
    let dstAcc: number | null;
    if (r.family === 4) {
      if (whitelist) {
        srcIn = whitelist.lookupV4(r.src4) !== null;
        dstIn = whitelist.lookupV4(r.dst4) !== null;
        if (!srcIn && !dstIn) return;
      }
      srcAcc = srcIn ? this.attribution.accountForIPv4(r.src4, t) : null;
      dstAcc = dstIn ? this.attribution.accountForIPv4(r.dst4, t) : null;
    } else if (r.family === 6 && r.src6 && r.dst6) {
      if (whitelist) {
        srcIn = whitelist.lookupV6(r.src6) !== null;
        dstIn = whitelist.lookupV6(r.dst6) !== null;
        if (!srcIn && !dstIn) return;
      }
      srcAcc = srcIn ? this.attribution.accountForIPv6(r.src6, t) : null;
      dstAcc = dstIn ? this.attribution.accountForIPv6(r.dst6, t) : null;
    } else {
      return;
    }
    const sec = Math.floor(t / 1000);
    if (srcAcc !== null) this.credit(this.accounts, srcAcc, sec, rev, fwd);
    if (dstAcc !== null) this.credit(this.accounts, dstAcc, sec, fwd, rev);
    if (srcAcc !== null || dstAcc !== null) {
      this.totals.attributed += fwd + rev;
      return;
    }
    this.totals.unattributed += fwd + rev;
    if (r.family === 4) {
      if (srcIn) this.credit(this.unattributed, r.src4, sec, rev, fwd);
      if (dstIn) this.credit(this.unattributed, r.dst4, sec, fwd, rev);
    } else {
      if (srcIn) this.credit(this.unattributed, formatIPv6(r.src6!), sec, rev, fwd);
      if (dstIn) this.credit(this.unattributed, formatIPv6(r.dst6!), sec, fwd, rev);
    }
  }

  /**
   * PacketLogic rule. proceraIncomingOctets is download (toward the subscriber), outgoing is
   * upload — see src/ingest/netflow/README.md for how the real sample decided it. The subscriber is, in order:
   * the subscriber identifier (an IP, a RADIUS username, or an account id), the end the record's
   * flags call local, then whichever end an account owns (destination first). `inB` / `outB`: the
   * record's incoming and outgoing octets, scaled and checked at the edge as for `addFlow`.
   */
  addProcera(r: FlowRecord, inB: number, outB: number, accountExists: (id: number) => boolean): void {
    if (inB === 0 && outB === 0) return;
    const t = r.timeMs;
    const sec = Math.floor(t / 1000);
    let account: number | null = null;
    const sub = r.subscriberId;
    if (sub) {
      const v4 = parseIPv4(sub);
      if (v4 >= 0) account = this.attribution.accountForIPv4(v4, t);
      else if (sub.includes(':')) account = this.attribution.accountForIp(sub, t);
      else {
        account = this.attribution.accountForUsername(sub, t);
        if (account === null) {
          const id = accountIdOf(sub);
          if (id !== null && accountExists(id)) account = id;
        }
      }
    }
    let localText: string | null = null;
    if (account === null && !sub) {
      const srcAcc = this.endAccount(r, true, t);
      const dstAcc = this.endAccount(r, false, t);
      if (r.proceraLocal === 1) account = srcAcc;
      else if (r.proceraLocal === 2) account = dstAcc;
      else account = dstAcc ?? srcAcc;
      if (account === null) localText = this.endText(r, r.proceraLocal !== 1 ? false : true);
    }
    if (account !== null) {
      this.credit(this.accounts, account, sec, inB, outB);
      this.totals.attributed += inB + outB;
      return;
    }
    this.totals.unattributed += inB + outB;
    const key = sub || localText;
    if (key) this.credit(this.unattributed, key, sec, inB, outB);
  }

  private endAccount(r: FlowRecord, src: boolean, t: number): number | null {
    if (r.family === 4) return this.attribution.accountForIPv4(src ? r.src4 : r.dst4, t);
    const a = src ? r.src6 : r.dst6;
    return r.family === 6 && a ? this.attribution.accountForIPv6(a, t) : null;
  }

  private endText(r: FlowRecord, src: boolean): string | null {
    if (r.family === 4) return formatIPv4(src ? r.src4 : r.dst4);
    const a = src ? r.src6 : r.dst6;
    return r.family === 6 && a ? formatIPv6(a) : null;
  }

  private credit(map: Map<number | string, Cell>, key: number | string, sec: number, inB: number, outB: number): void {
    let k: number | string = typeof key === 'number' && key < 2 ** 31 ? key * SEC_SPAN + (sec % SEC_SPAN) : `${key}|${sec}`;
    let cell = map.get(k);
    if (cell && cell.sec !== sec) {
      k = `${key}|${sec}`;
      cell = map.get(k);
    }
    if (!cell) {
      map.set(k, { key, sec, inB, outB, exactIn: 0n, exactOut: 0n });
      return;
    }
    if (cell.inB + inB > Number.MAX_SAFE_INTEGER || cell.outB + outB > Number.MAX_SAFE_INTEGER) {
      cell.exactIn += BigInt(cell.inB);
      cell.exactOut += BigInt(cell.outB);
      cell.inB = 0;
      cell.outB = 0;
    }
    cell.inB += inB;
    cell.outB += outB;
  }

  /** Hands everything accumulated to the writer (synchronous, buffered there) and resets. */
  flushTo(writer: UsageWriter): void {
    const source = this.source;
    for (const c of this.accounts.values()) {
      writer.add({ accountId: c.key as number, source, timeMs: c.sec * 1000, inBytes: BigInt(c.inB) + c.exactIn, outBytes: BigInt(c.outB) + c.exactOut });
    }
    for (const c of this.unattributed.values()) {
      const ip = typeof c.key === 'number' ? formatIPv4(c.key) : c.key;
      writer.addUnattributed({ ip, source, timeMs: c.sec * 1000, inBytes: BigInt(c.inB) + c.exactIn, outBytes: BigInt(c.outB) + c.exactOut });
    }
    this.accounts.clear();
    this.unattributed.clear();
  }
}
