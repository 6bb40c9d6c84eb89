import type { Attribution } from '../../../../src/attribution/attribution';
import { PrefixIndex } from '../../../../src/net/prefix-index';
import type { UnattributedIncrement, UsageIncrement, UsageWriter } from '../../../../src/usage/ledger';

/** A tiny in-test Attribution: longest-prefix match over fixed (subnet → account) and usernames. */
export class ListAttribution implements Attribution {
  private readonly index: PrefixIndex;
  private readonly accounts: number[];
  constructor(assignments: Record<string, number>, private readonly usernames: Record<string, number> = {}) {
    this.index = PrefixIndex.of(Object.keys(assignments));
    this.accounts = Object.values(assignments);
  }
  accountForIPv4(address: number): number | null {
    return this.account(this.index.lookupV4(address));
  }
  accountForIPv6(address: Uint8Array): number | null {
    return this.account(this.index.lookupV6(address));
  }
  accountForIp(address: string): number | null {
    return this.account(this.index.lookupAddress(address));
  }
  private account(position: number | null): number | null {
    return position === null ? null : this.accounts[position];
  }
  accountForUsername(name: string): number | null {
    return this.usernames[name] ?? null;
  }
}

/** An in-memory UsageWriter: sums per account and per unattributed address. */
export class SummingWriter implements UsageWriter {
  readonly accounts = new Map<number, { in: bigint; out: bigint }>();
  readonly unattributed = new Map<string, { in: bigint; out: bigint }>();
  readonly sources = new Set<string>();
  pending = 0;
  add(i: UsageIncrement): void {
    this.sources.add(`${i.source.parent}|${i.source.identifier}`);
    const t = this.accounts.get(i.accountId) ?? { in: 0n, out: 0n };
    t.in += i.inBytes;
    t.out += i.outBytes;
    this.accounts.set(i.accountId, t);
  }
  addUnattributed(i: UnattributedIncrement): void {
    const t = this.unattributed.get(i.ip) ?? { in: 0n, out: 0n };
    t.in += i.inBytes;
    t.out += i.outBytes;
    this.unattributed.set(i.ip, t);
  }
  async flush(): Promise<void> {}
  totals(): Record<string, { in: number; out: number }> {
    const out: Record<string, { in: number; out: number }> = {};
    for (const [a, t] of [...this.accounts].sort((x, y) => x[0] - y[0])) out[String(a)] = { in: Number(t.in), out: Number(t.out) };
    return out;
  }
}
