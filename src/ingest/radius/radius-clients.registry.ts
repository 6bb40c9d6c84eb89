import ipaddr from 'ipaddr.js';
import type { DataSource } from 'typeorm';

export interface RadiusClientEntry {
  name: string;
  subnet: string;
  secret: Buffer;
}

interface Compiled extends RadiusClientEntry {
  range: [ipaddr.IPv4 | ipaddr.IPv6, number];
}

/**
 * The NASes allowed to send accounting, from `radius_clients`, matched by source address
 * (longest prefix wins). Kept in memory and reloaded periodically, so the hot path never
 * queries the database; results per source address are memoized until the next reload.
 */
export class RadiusClientRegistry {
  private clients: Compiled[] = [];
  private readonly bySource = new Map<string, Compiled | null>();

  constructor(private readonly dataSource: DataSource) {}

  async reload(): Promise<void> {
    const rows: Array<{ name: string; subnet: string; secret: string }> = await this.dataSource.query(
      `SELECT name, subnet::text AS subnet, secret FROM radius_clients`,
    );
    this.setClients(rows.map((r) => ({ name: r.name, subnet: r.subnet, secret: Buffer.from(r.secret, 'utf8') })));
  }

  setClients(entries: RadiusClientEntry[]): void {
    const compiled: Compiled[] = [];
    for (const e of entries) {
      try {
        compiled.push({ ...e, range: ipaddr.parseCIDR(e.subnet) });
      } catch {
        // A subnet the database accepted but ipaddr.js cannot parse matches nothing.
      }
    }
    compiled.sort((a, b) => b.range[1] - a.range[1]);
    this.clients = compiled;
    this.bySource.clear();
  }

  /** The client for a datagram's source address, or null (unknown client). */
  lookup(address: string): RadiusClientEntry | null {
    const cached = this.bySource.get(address);
    if (cached !== undefined) return cached;
    let found: Compiled | null = null;
    try {
      let addr = ipaddr.parse(address);
      if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
      for (const c of this.clients) {
        if (c.range[0].kind() === addr.kind() && addr.match(c.range)) {
          found = c;
          break;
        }
      }
    } catch {
      found = null;
    }
    if (this.bySource.size > 100_000) this.bySource.clear();
    this.bySource.set(address, found);
    return found;
  }
}
