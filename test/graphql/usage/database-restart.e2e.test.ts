import { Client } from 'pg';
import { startTestApp, TestApp } from '../../support/app';

const CREATE = `mutation($input: [CreateDataUsageMutationInput!]!) { createDataUsages(input: $input) { success message } }`;
const TOTALS = `query($a: Int64Bit!, $s: Datetime!, $e: Datetime!) {
  data_usage_totals(account_id: $a, start_datetime: $s, end_datetime: $e) { entities { billable_in_bytes billable_out_bytes } } }`;

/**
 * The database drops every connection of the service (as a restart or a failover does), including
 * in the middle of createDataUsages calls. Middleware retries each batch until it is answered, as
 * the error tells it to: the usage comes out exact, nothing lost and nothing counted twice, and every
 * failure a client sees says the database was unavailable. Needs a PostgreSQL server.
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('createDataUsages when the database drops its connections', () => {
  let t: TestApp;
  let admin: Client;
  let accountId: string;

  beforeAll(async () => {
    t = await startTestApp('postgres');
    admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const ds = t.app.services.dataSource;
    await ds.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    await ds.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
    const [{ id }] = await ds.query(`INSERT INTO accounts (name, account_status_id, account_type_id) VALUES ('a', 1, 1) RETURNING id`);
    accountId = String(id);
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

  it('loses nothing and counts nothing twice across retried batches', async () => {
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

    const totals = await t.gql(TOTALS, { a: accountId, s: new Date(base - 3_600_000).toISOString(), e: new Date().toISOString() });
    expect(totals.data.data_usage_totals.entities).toEqual([{ billable_in_bytes: '10000', billable_out_bytes: '100' }]);
    // The drops did catch calls in flight (5 to 8 of the 10, in practice), and each said why.
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure).toMatchObject({ message: expect.stringMatching(/^The database is unavailable, try again \(request .+\)$/), extensions: { reason: 'DATABASE_UNAVAILABLE' } });
    }
  }, 60_000);
});
