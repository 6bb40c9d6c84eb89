import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import type { Attribution, RadiusAccountOwners } from '../../../src/attribution/attribution';
import type { Ledger, UnattributedIncrement, UsageIncrement } from '../../../src/usage/ledger';

/**
 * Small stand-ins for the shared interfaces, so the accounting server is tested on its own:
 * username maps, and a ledger that writes plain rows in the caller's transaction.
 */
export class MapAttribution implements Attribution, RadiusAccountOwners {
  readonly usernames = new Map<string, number>();
  readonly radiusAccounts = new Map<string, number>();
  accountForIPv4(): number | null { return null; }
  accountForIPv6(): number | null { return null; }
  accountForIp(): number | null { return null; }
  accountForUsername(name: string): number | null { return this.usernames.get(name) ?? null; }
  radiusAccountForUsername(name: string): number | null { return this.radiusAccounts.get(name) ?? null; }

  /** Maps every username in radius_accounts to its account and RadiusAccount. */
  async loadRadiusAccounts(dataSource: DataSource): Promise<this> {
    for (const r of await dataSource.query(`SELECT id, account_id, username FROM radius_accounts`)) {
      this.usernames.set(r.username, Number(r.account_id));
      this.radiusAccounts.set(r.username, Number(r.id));
    }
    return this;
  }
}

export class TableLedger implements Ledger {
  static async createTable(dataSource: DataSource): Promise<void> {
    await dataSource.query(`CREATE TABLE IF NOT EXISTS test_usage (account_id bigint, parent text, identifier text, time_ms float8, in_bytes numeric, out_bytes numeric)`);
    await dataSource.query(`CREATE TABLE IF NOT EXISTS test_unattributed (ip text, parent text, identifier text, in_bytes numeric, out_bytes numeric)`);
  }

  async record(manager: EntityManager, usage: UsageIncrement[], unattributed: UnattributedIncrement[] = []): Promise<void> {
    if (usage.length) {
      await manager.query(
        `INSERT INTO test_usage SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[], $5::numeric[], $6::numeric[])`,
        [usage.map((u) => u.accountId), usage.map((u) => u.source.parent), usage.map((u) => u.source.identifier), usage.map((u) => u.timeMs), usage.map((u) => u.inBytes.toString()), usage.map((u) => u.outBytes.toString())],
      );
    }
    if (unattributed.length) {
      await manager.query(
        `INSERT INTO test_unattributed SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[])`,
        [unattributed.map((u) => u.ip), unattributed.map((u) => u.source.parent), unattributed.map((u) => u.source.identifier), unattributed.map((u) => u.inBytes.toString()), unattributed.map((u) => u.outBytes.toString())],
      );
    }
  }

  static async totals(dataSource: DataSource, accountId: number): Promise<{ in: bigint; out: bigint }> {
    const [row] = await dataSource.query(`SELECT coalesce(sum(in_bytes),0)::text AS i, coalesce(sum(out_bytes),0)::text AS o FROM test_usage WHERE account_id = $1`, [accountId]);
    return { in: BigInt(row.i), out: BigInt(row.o) };
  }
}

/** Runs radclient with a file of Accounting-Requests (blank line between packets). */
export function radclient(port: number, secret: string, packets: string[], args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'radclient-'));
  const file = path.join(dir, 'acct.txt');
  writeFileSync(file, packets.join('\n\n') + '\n');
  return new Promise((resolve) => {
    execFile('radclient', [...args, '-f', file, `127.0.0.1:${port}`, 'acct', secret], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** One radclient packet: attributes as `Name = value` lines. */
export function packet(attrs: Record<string, string | number>): string {
  return Object.entries(attrs)
    .map(([k, v]) => `${k} = ${typeof v === 'number' ? v : /^[A-Za-z-]+$/.test(v) || /^\d+\.\d+\.\d+\.\d+$/.test(v) || v.includes('/') ? v : `"${v}"`}`)
    .join(', ');
}

/** A UDP port nobody listens on right now (bind 0, read, close). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export async function eventually<T>(fn: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (check(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}
