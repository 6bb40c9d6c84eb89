import { Client } from 'pg';
import { startTestApp, TestApp } from '../../support/app';
import { freeUdpPort, packet, radclient } from '../../ingest/radius/radius-test-support';
import { describeWithPeers, itWithPeers } from '../../support/peers';

const CREATE = `mutation($input: [CreateDataUsageMutationInput!]!) { createDataUsages(input: $input) { success message } }`;
const TOTALS = `query($a: Int64Bit!, $s: Datetime!, $e: Datetime!) {
  data_usage_totals(account_id: $a, start_datetime: $s, end_datetime: $e) {
    entities { billable_in_bytes billable_out_bytes data_source_parent data_source_identifier } } }`;

type UsageRow = { billable_in_bytes: string; billable_out_bytes: string; data_source_parent: string; data_source_identifier: string };

/**
 * The database drops every connection of the service (as a restart or a failover does), in the
 * middle of writes: createDataUsages calls, which middleware retries until answered as the error
 * tells it to; RADIUS accounting, which a NAS (radclient) retransmits until acknowledged; and the
 * buffered writer's flushes, which retry by themselves. The usage comes out exact: nothing lost,
 * nothing counted twice. Needs a PostgreSQL server (and radclient for the RADIUS part).
 */
describeWithPeers('postgresql')('usage writes when the database drops its connections', () => {
  let t: TestApp;
  let admin: Client;
  let accountId: string;
  let radiusPort: number;

  beforeAll(async () => {
    radiusPort = await freeUdpPort();
    t = await startTestApp('postgres', { RADIUS_ACCT_PORT: String(radiusPort), RADIUS_ACCT_HOST: '127.0.0.1', RADIUS_CLIENTS_REFRESH_MS: '200' });
    admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const ds = t.app.services.dataSource;
    await ds.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    await ds.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
    const [{ id }] = await ds.query(`INSERT INTO accounts (name, account_status_id, account_type_id) VALUES ('a', 1, 1) RETURNING id`);
    accountId = String(id);
    const radius = await t.gql(`mutation($a: Int64Bit!) { createRadiusAccount(input: {account_id: $a, username: "restart"}) { id } }`, { a: accountId });
    const nas = await t.gql(`mutation { createRadiusClient(input: {name: "bng", subnet: "127.0.0.0/8", secret: "restart-secret"}) { id } }`);
    expect([radius.errors, nas.errors]).toEqual([undefined, undefined]);
  }, 60_000);
  afterAll(async () => {
    await admin?.end();
    await t?.stop();
  });

  /** Ends every session of the service's database, as the server does when it restarts. */
  const dropConnections = () =>
    admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [
      new URL(t.db.settings.url!).pathname.slice(1),
    ]);

  /**
   * The account's usage per source from `since` to an hour from now, read as a front end does. A read
   * right after a drop may meet a pooled connection the pool has not yet found dead: it fails as
   * unavailable, and the client asks again.
   */
  const usageRows = async (since = Date.now() - 3_600_000): Promise<UsageRow[]> => {
    const variables = { a: accountId, s: new Date(since).toISOString(), e: new Date(Date.now() + 3_600_000).toISOString() };
    let totals = await t.gql(TOTALS, variables);
    if (totals.errors?.[0].extensions?.reason === 'DATABASE_UNAVAILABLE') totals = await t.gql(TOTALS, variables);
    return totals.data.data_usage_totals.entities;
  };

  it('createDataUsages loses nothing and counts nothing twice across retried batches', async () => {
    const base = Date.now() - 3_600_000;
    const sample = (k: number) => ({
      time: new Date(base + k * 60_000).toISOString(),
      inbytes: String(k * 1000),
      outbytes: String(k * 10),
      account_id: accountId,
      data_source_parent: 'Middleware',
      data_source_identifier: 'restart',
    });
    const failures: unknown[] = [];
    /** The middleware's loop: the same batch until it is answered. */
    const sendUntilAnswered = async (k: number) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const response = await t.gql(CREATE, { input: [sample(k)] });
        if (response.data?.createDataUsages?.success) return response.data.createDataUsages.message as string;
        failures.push(response.errors?.[0]);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`batch ${k} was never answered: ${JSON.stringify(failures.slice(-1))}`);
    };

    await sendUntilAnswered(0); // the baseline
    for (let k = 1; k <= 10; k++) {
      // The connections drop while batch k is on its way, at a different moment each time.
      const sent = sendUntilAnswered(k);
      await new Promise((resolve) => setTimeout(resolve, k % 4));
      await dropConnections();
      await sent;
    }

    expect((await usageRows(base - 3_600_000)).filter((r) => r.data_source_identifier === 'restart')).toEqual([
      { billable_in_bytes: '10000', billable_out_bytes: '100', data_source_parent: 'Middleware', data_source_identifier: 'restart' },
    ]);
    // The drops did catch calls in flight (5 to 8 of the 10, in practice), and each said why.
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure).toMatchObject({ message: expect.stringMatching(/^The database is unavailable, try again \(request .+\)$/), extensions: { reason: 'DATABASE_UNAVAILABLE' } });
    }
  }, 60_000);

  it('the buffered writer loses nothing and counts nothing twice across failed flushes', async () => {
    const writer = t.app.services.usageWriter;
    const source = { parent: 'NetFlow', identifier: 'restart-writer' };
    const base = Date.now() - 3_600_000;
    let failedFlushes = 0;
    for (let k = 1; k <= 10; k++) {
      for (let account = 1; account <= 200; account++) writer.add({ accountId: account, source, timeMs: base + k * 60_000, inBytes: 1000n, outBytes: 1n });
      const flushed = writer.flush().catch(() => failedFlushes++);
      await new Promise((resolve) => setTimeout(resolve, k % 4));
      await dropConnections();
      await flushed;
    }
    // Until a flush succeeds with nothing left over (a flush whose outcome the server does not know
    // yet stays pending). `pending` alone is not enough: a timer flush may be writing right now.
    for (let attempt = 0; attempt < 20; attempt++) {
      const succeeded = await writer.flush().then(() => true, () => false);
      if (succeeded && writer.pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(writer.pending).toBe(0);
    // Counted on a connection of its own: the service's pool may still hold a connection that died.
    const check = new Client({ connectionString: t.db.settings.url });
    await check.connect();
    const {
      rows: [row],
    } = await check
      .query(
        `SELECT sum(u.in_bytes)::text AS in_bytes, sum(u.out_bytes)::text AS out_bytes
           FROM usage_5m u JOIN usage_sources s ON s.id = u.source_id WHERE s.identifier = 'restart-writer'`,
      )
      .finally(() => check.end());
    expect(row.in_bytes).toBe(String(10 * 200 * 1000));
    expect(row.out_bytes).toBe(String(10 * 200));
    expect(failedFlushes).toBeGreaterThan(0);
  }, 60_000);

  itWithPeers('radclient')('RADIUS accounting: what the service acknowledged is counted once, whatever it did not is re-sent', async () => {
    const sessions = [1, 2, 3, 4, 5, 6];
    const packets = sessions.flatMap((k) => {
      const base = { 'User-Name': 'restart', 'NAS-IP-Address': '192.0.2.77', 'Acct-Session-Id': `restart-${k}` };
      return [
        packet({ ...base, 'Acct-Status-Type': 'Start' }),
        packet({ ...base, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 100 * k, 'Acct-Output-Octets': 1000 * k }),
        packet({ ...base, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 500 * k, 'Acct-Output-Octets': 5000 * k }),
      ];
    });
    // The connections drop every 30 ms while the NAS sends (and re-sends, -r 10 -t 1, what was not answered).
    let sending = true;
    const dropping = (async () => {
      while (sending) {
        await dropConnections();
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();
    const sent = await radclient(radiusPort, 'restart-secret', packets, ['-r', '10', '-t', '1']).finally(() => (sending = false));
    await dropping;
    // Every request was answered in the end. In practice 1 to 13 of the service's commits failed
    // (usage_meter_radius_dropped_total{reason="store_failed"}) and were answered only on a re-send.
    expect(sent.code).toBe(0);

    const radiusRow = (await usageRows()).find((r) => r.data_source_identifier === '192.0.2.77');
    // Acct-Output-Octets is what the NAS sent to the subscriber: download.
    expect(radiusRow).toEqual({ billable_in_bytes: String(5000 * 21), billable_out_bytes: String(500 * 21), data_source_parent: 'RADIUS', data_source_identifier: '192.0.2.77' });
  }, 90_000);

  itWithPeers('radclient')('keeps following changes made in another process after the drops (attribution sync)', async () => {
    // Written straight to the database, as another service process would: only the change-log
    // sync can tell this one, and its connection was ended many times above.
    await dropConnections();
    const other = new Client({ connectionString: t.db.settings.url });
    await other.connect();
    await other.query(`INSERT INTO radius_accounts (account_id, username) VALUES ($1, 'restart-later')`, [accountId]).finally(() => other.end());
    const stop = packet({ 'User-Name': 'restart-later', 'NAS-IP-Address': '192.0.2.78', 'Acct-Session-Id': 'later-1', 'Acct-Status-Type': 'Stop', 'Acct-Output-Octets': 777 });
    // Until the sync has seen the login, its usage is nobody's: wait for the sync, then send.
    const deadline = Date.now() + 20_000;
    while (t.app.services.attribution.accountForUsername('restart-later', Date.now()) === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(t.app.services.attribution.accountForUsername('restart-later', Date.now())).toBe(Number(accountId));
    expect((await radclient(radiusPort, 'restart-secret', [stop], ['-r', '5', '-t', '1'])).code).toBe(0);
    expect(await usageRows()).toContainEqual({ billable_in_bytes: '777', billable_out_bytes: '0', data_source_parent: 'RADIUS', data_source_identifier: '192.0.2.78' });
  }, 60_000);
});
