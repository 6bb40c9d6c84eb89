import type { DataSource } from 'typeorm';
import { PrefixIndex } from '../../net/prefix-index';

export interface RadiusClientEntry {
  name: string;
  subnet: string;
  secret: Buffer;
}

/**
 * The NASes allowed to send accounting, from `radius_clients`, matched by source address
 * (longest prefix wins). Kept in memory and reloaded periodically, so the hot path never
 * queries the database; a lookup is a few probes of the prefix index, without allocating.
 */
export class RadiusClientRegistry {
  private clients: RadiusClientEntry[] = [];
  /** Subnet → position in `clients`. */
  private index = new PrefixIndex();

  constructor(private readonly dataSource: DataSource) {}

  async reload(): Promise<void> {
    const rows: Array<{ name: string; subnet: string; secret: string }> = await this.dataSource.query(
      `SELECT name, subnet::text AS subnet, secret FROM radius_clients`,
    );
    this.setClients(rows.map((r) => ({ name: r.name, subnet: r.subnet, secret: Buffer.from(r.secret, 'utf8') })));
  }

  /** A subnet that does not parse matches nothing. */
  setClients(entries: RadiusClientEntry[]): void {
    this.index = PrefixIndex.of(entries.map((e) => e.subnet));
    this.clients = [...entries];
  }

  /** The client for a datagram's source address (IPv4-mapped is IPv4), or null (unknown client). */
  lookup(address: string): RadiusClientEntry | null {
    const position = this.index.lookupAddress(address);
    return position === null ? null : this.clients[position];
  }
}
