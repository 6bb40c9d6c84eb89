import type { Attribution } from '../../../../src/attribution/attribution';
import type { UnattributedIncrement, UsageIncrement, UsageWriter } from '../../../../src/usage/ledger';
import { containsV4, containsV6, parseSubnet, Subnet } from '../../../../src/ingest/netflow/subnet';

/**
 * A tiny in-test Attribution (the real one is another teammate's, not on main yet):
 * longest-prefix match over a fixed list of (subnet, account) and usernames.
 */
export class ListAttribution implements Attribution {
  private readonly list: Array<{ subnet: Subnet; account: number }>;
  constructor(assignments: Record<string, number>, private readonly usernames: Record<string, number> = {}) {
    this.list = Object.entries(assignments)
      .map(([cidr, account]) => ({ subnet: parseSubnet(cidr)!, account }))
      .sort((a, b) => b.subnet.prefix - a.subnet.prefix);
  }
  accountForIPv4(address: number): number | null {
    for (const e of this.list) if (containsV4(e.subnet, address)) return e.account;
    return null;
  }
  accountForIPv6(address: Uint8Array): number | null {
    for (const e of this.list) if (containsV6(e.subnet, address)) return e.account;
    return null;
  }
  accountForIp(address: string): number | null {
    const s = parseSubnet(address);
    if (!s) return null;
    return s.family === 4 ? this.accountForIPv4(s.v4) : this.accountForIPv6(s.v6);
  }
  accountForUsername(name: string): number | null {
    return this.usernames[name] ?? null;
  }
  radiusAccountForUsername(): number | null {
    return null;
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
