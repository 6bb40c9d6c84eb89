import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource, EntityManager } from 'typeorm';
import type { Attribution } from '../../../src/attribution/attribution';
import type { Ledger, UnattributedIncrement, UsageIncrement } from '../../../src/usage/ledger';

/**
 * A tiny Ledger for appliance tests until the real one lands: rows in two test tables,
 * written with the caller's transaction manager (so atomicity is really exercised).
 */
export class TableLedger implements Ledger {
  failNext = 0;

  static async createTables(dataSource: DataSource): Promise<void> {
    await dataSource.query(`CREATE TABLE IF NOT EXISTS test_usage (account_id int8, parent text, identifier text, time_ms int8, in_bytes numeric, out_bytes numeric)`);
    await dataSource.query(`CREATE TABLE IF NOT EXISTS test_unattributed (ip text, parent text, identifier text, time_ms int8, in_bytes numeric, out_bytes numeric)`);
  }

  async record(manager: EntityManager, usage: UsageIncrement[], unattributed: UnattributedIncrement[] = []): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('ledger down (test)');
    }
    if (usage.length) {
      await manager.query(
        `INSERT INTO test_usage SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(account_id int8, parent text, identifier text, time_ms int8, in_bytes numeric, out_bytes numeric)`,
        [JSON.stringify(usage.map((u) => ({ account_id: u.accountId, parent: u.source.parent, identifier: u.source.identifier, time_ms: u.timeMs, in_bytes: u.inBytes.toString(), out_bytes: u.outBytes.toString() })))],
      );
    }
    if (unattributed.length) {
      await manager.query(
        `INSERT INTO test_unattributed SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(ip text, parent text, identifier text, time_ms int8, in_bytes numeric, out_bytes numeric)`,
        [JSON.stringify(unattributed.map((u) => ({ ip: u.ip, parent: u.source.parent, identifier: u.source.identifier, time_ms: u.timeMs, in_bytes: u.inBytes.toString(), out_bytes: u.outBytes.toString() })))],
      );
    }
  }

  static async clear(dataSource: DataSource): Promise<void> {
    await dataSource.query(`DELETE FROM test_usage`);
    await dataSource.query(`DELETE FROM test_unattributed`);
  }

  /** { accountId: [in, out] } as decimal strings, per parent. */
  static async totals(dataSource: DataSource, parent: string): Promise<Record<string, [string, string]>> {
    const rows: Array<{ account_id: string; i: string; o: string }> = await dataSource.query(
      `SELECT account_id, sum(in_bytes)::text AS i, sum(out_bytes)::text AS o FROM test_usage WHERE parent = $1 GROUP BY account_id ORDER BY account_id`,
      [parent],
    );
    return Object.fromEntries(rows.map((r) => [r.account_id, [r.i, r.o]]));
  }

  static async unattributedTotals(dataSource: DataSource, parent: string): Promise<Record<string, [string, string]>> {
    const rows: Array<{ ip: string; i: string; o: string }> = await dataSource.query(
      `SELECT ip, sum(in_bytes)::text AS i, sum(out_bytes)::text AS o FROM test_unattributed WHERE parent = $1 GROUP BY ip ORDER BY ip`,
      [parent],
    );
    return Object.fromEntries(rows.map((r) => [r.ip, [r.i, r.o]]));
  }
}

/** Attribution by a fixed address -> account map (the real service is a teammate's). */
export class MapAttribution implements Attribution {
  constructor(readonly byIp: Record<string, number>) {}
  accountForIPv4(): number | null {
    return null;
  }
  accountForIPv6(): number | null {
    return null;
  }
  accountForIp(address: string): number | null {
    return this.byIp[address] ?? null;
  }
  accountForUsername(): number | null {
    return null;
  }
}

export async function createAccounts(dataSource: DataSource, ids: number[]): Promise<void> {
  await dataSource.query(`INSERT INTO account_statuses (id, name) VALUES (1, 'Active') ON CONFLICT DO NOTHING`);
  await dataSource.query(`INSERT INTO account_types (id, name) VALUES (1, 'Residential') ON CONFLICT DO NOTHING`);
  for (const id of ids) {
    await dataSource.query(
      `INSERT INTO accounts (id, name, account_status_id, account_type_id) VALUES ($1, $2, 1, 1) ON CONFLICT DO NOTHING`,
      [id, `account ${id}`],
    );
  }
}

export type Fault = 500 | 401 | 'timeout' | 'badjson' | 'wrongshape';

/**
 * A local fake HTTP appliance on an ephemeral port. `handle` answers parsed requests;
 * `faults` are consumed one per request before it (500, 401, a hang past the client's
 * timeout, a truncated JSON body, JSON of the wrong shape).
 */
export class FakeApplianceServer {
  faults: Fault[] = [];
  requests: URL[] = [];
  authorizations: string[] = [];
  private server = http.createServer((req, res) => this.serve(req, res));
  private hanging = new Set<http.ServerResponse>();

  constructor(private readonly handle: (url: URL) => { status?: number; body: unknown }) {}

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(url);
    this.authorizations.push(req.headers.authorization ?? '');
    const fault = this.faults.shift();
    if (fault === 'timeout') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (fault === 500) return void res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
    if (fault === 401) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end('unauthorized');
    if (fault === 'badjson') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": [ {"start": ');
    if (fault === 'wrongshape') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"error": "nope"}');
    try {
      const { status = 200, body } = this.handle(url);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  }
}

/** Polls `check` until it passes (asynchronous components); fails with its last error after `timeoutMs`. */
export async function expectEventually(check: () => Promise<void> | void, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
