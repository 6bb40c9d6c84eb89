import net from 'node:net';
import { createConnection } from 'mysql2/promise';
import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';
import { applyRadacctSchema, FreeRadius } from '../../support/freeradius';
import { createMariadbScratchDatabase, MariadbScratchDatabase } from '../../support/mariadb';
import { createRadacctDatabase, RadacctDatabase, radiusServerFor } from '../../support/radacct';
import { eventually, freeUdpPort, packet, radclient } from './radius-test-support';
import { describeWithPeers } from '../../support/peers';

const GIB4 = 2n ** 32n;
const SECRET = 'radacct-e2e';
const CREATE = `mutation($input: CreateRadiusServerMutationInput) { createRadiusServer(input: $input) { id } }`;
const UPDATE = `mutation($id: Int64Bit!, $input: UpdateRadiusServerMutationInput) { updateRadiusServer(id: $id, input: $input) { id } }`;
const SERVERS = `{ radius_servers(sorter: [{attribute: "id", direction: ASC}]) { entities { id name status status_message last_synchronized } } }`;
const STATUS = `{ ingest_status { data_source_parent data_source_identifier received bytes_attributed bytes_unattributed last_success last_error details { name count } } }`;
const TOTALS = `query($a: Int64Bit!, $s: Datetime!, $e: Datetime!) {
  data_usage_totals(account_id: $a, start_datetime: $s, end_datetime: $e) { entities { billable_in_bytes billable_out_bytes data_source_parent data_source_identifier } } }`;

interface ServerView {
  id: string;
  name: string;
  status: 'UP' | 'DOWN' | null;
  status_message: string | null;
  last_synchronized: string | null;
}
interface StatusEntry {
  data_source_parent: string;
  data_source_identifier: string;
  bytes_attributed: string;
  last_error: string | null;
  details: Array<{ name: string; count: string }>;
}

/** A TCP port nothing listens on: an unreachable database. */
async function closedTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The running service importing several RadiusServers configured through the API, each a real
 * FreeRADIUS (rlm_sql_mysql) writing into this machine's MariaDB, beside one whose database is
 * unreachable and one whose radacct has the wrong columns. The import follows API changes
 * within a poll interval (200 ms here), without a restart.
 */
describeWithPeers('freeradius', 'mariadb', 'radclient').each(testEngines())('RadiusServers imported by the running service, ledger on %s', (engine) => {
  let t: TestApp;
  let accountId: string;
  let radacct: RadacctDatabase;
  let mirror: RadacctDatabase;
  let wrong: MariadbScratchDatabase;
  let freeradius: FreeRadius;
  let mirrorRadius: FreeRadius;
  let port: number;
  let mirrorPort: number;
  const ids: Record<string, string> = {};
  const start = new Date(Date.now() - 3_600_000).toISOString();
  const end = () => new Date(Date.now() + 3_600_000).toISOString();

  const servers = async (): Promise<Record<string, ServerView>> =>
    Object.fromEntries(((await t.gql(SERVERS)).data.radius_servers.entities as ServerView[]).map((s) => [s.name, s]));
  const radacctEntries = async (): Promise<Record<string, StatusEntry>> =>
    Object.fromEntries(
      ((await t.gql(STATUS)).data.ingest_status as StatusEntry[])
        .filter((e) => e.data_source_identifier.startsWith('radacct:'))
        .map((e) => [e.data_source_identifier, e]),
    );
  /** Alice's bytes over every source, as the API answers them. */
  const totals = async (): Promise<{ in: bigint; out: bigint }> => {
    const entities: Array<{ billable_in_bytes: string; billable_out_bytes: string }> = (await t.gql(TOTALS, { a: accountId, s: start, e: end() })).data
      .data_usage_totals.entities;
    return entities.reduce((sum, e) => ({ in: sum.in + BigInt(e.billable_in_bytes), out: sum.out + BigInt(e.billable_out_bytes) }), { in: 0n, out: 0n });
  };
  const send = async (toPort: number, ...packets: string[]) => expect((await radclient(toPort, SECRET, packets, ['-r', '3', '-t', '1'])).code).toBe(0);
  const create = async (input: Record<string, unknown>) => {
    const created = await t.gql(CREATE, { input });
    expect(created.errors).toBeUndefined();
    ids[input.name as string] = created.data.createRadiusServer.id;
  };

  beforeAll(async () => {
    t = await startTestApp(engine, { RADACCT_POLL_INTERVAL_MS: '200' });
    const ds = t.app.services.dataSource;
    await ds.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    await ds.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
    const [account] = await ds.query(`INSERT INTO accounts (name, account_status_id, account_type_id) VALUES ('Alice', 1, 1) RETURNING id`);
    accountId = String(account.id);
    await ds.query(`INSERT INTO radius_accounts (account_id, username) VALUES ($1, 'alice')`, [account.id]);
    await t.app.services.attribution.refresh();

    radacct = await createRadacctDatabase('FREERADIUS_MYSQL');
    mirror = await createRadacctDatabase('FREERADIUS_MYSQL');
    port = await freeUdpPort();
    freeradius = new FreeRadius({ acctPort: port, secret: SECRET, databaseUrl: radacct.url, threads: 2 });
    await freeradius.start();
    mirrorPort = await freeUdpPort();
    mirrorRadius = new FreeRadius({ acctPort: mirrorPort, secret: SECRET, databaseUrl: mirror.url, threads: 2 });
    await mirrorRadius.start();

    // A table called radacct that is not FreeRADIUS's.
    wrong = await createMariadbScratchDatabase('radacct_wrong');
    const connection = await createConnection({ host: wrong.host, port: wrong.port, user: wrong.user, password: wrong.password, database: wrong.name });
    await connection.query(`CREATE TABLE radacct (radacctid bigint PRIMARY KEY, username varchar(64), acctinputoctets varchar(20))`);
    await connection.query(`INSERT INTO radacct VALUES (1, 'alice', '999999')`);
    await connection.end();
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
    await freeradius?.stop();
    await mirrorRadius?.stop();
    await radacct?.drop();
    await mirror?.drop();
    await wrong?.drop();
  });

  it('imports every server that collects bandwidth; one unreachable and one with the wrong radacct show why, and the others keep importing', async () => {
    const alice = { 'User-Name': 'alice', 'NAS-IP-Address': '10.30.0.1', 'Acct-Session-Id': 'e2e-1' };
    await send(port, packet({ ...alice, 'Acct-Status-Type': 'Start' }), packet({ ...alice, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 700, 'Acct-Output-Octets': 9, 'Acct-Output-Gigawords': 1 }));

    await create({ ...radacct.server, name: 'good', collect_bandwidth: true });
    await create({ ...radiusServerFor('FREERADIUS_MYSQL', `mysql://root@127.0.0.1:${await closedTcpPort()}/radius`), name: 'unreachable', collect_bandwidth: true });
    await create({ ...radiusServerFor('FREERADIUS_MYSQL', wrong.url), name: 'wrong-columns', collect_bandwidth: true });
    await create({ ...radacct.server, name: 'not-collecting' });

    const seen = await eventually(servers, (s) => s.good?.status === 'UP' && s.unreachable?.status === 'DOWN' && s['wrong-columns']?.status === 'DOWN');
    expect(seen.good).toMatchObject({ status: 'UP', status_message: null, last_synchronized: expect.any(String) });
    expect(seen.unreachable.status_message).toMatch(/^MySQL 127\.0\.0\.1:\d+\/radius: .*ECONNREFUSED/);
    expect(seen['wrong-columns'].status_message).toMatch(
      /radacct has no column acctuniqueid, nasipaddress, acctstarttime, acctupdatetime, acctstoptime, acctoutputoctets; acctinputoctets is varchar, not an integer/,
    );
    expect(seen['not-collecting']).toMatchObject({ status: null, last_synchronized: null });
    expect(await eventually(totals, (v) => v.in === GIB4 + 9n)).toEqual({ in: GIB4 + 9n, out: 700n });

    const entries = await radacctEntries();
    expect(Object.keys(entries).sort()).toEqual(['radacct:good', 'radacct:unreachable', 'radacct:wrong-columns']);
    expect(entries['radacct:good']).toMatchObject({ data_source_parent: 'RADIUS', bytes_attributed: String(GIB4 + 709n), last_error: null });
    expect(entries['radacct:unreachable'].last_error).toMatch(/ECONNREFUSED/);
    expect(entries['radacct:wrong-columns'].last_error).toMatch(/radacct has no column acctuniqueid/);
    expect(entries['radacct:unreachable'].details).toContainEqual({ name: 'up', count: '0' });
    expect(entries['radacct:good'].details).toContainEqual({ name: 'up', count: '1' });
    // Nothing was stored for the two failing servers.
    const checkpoints = await t.app.services.dataSource.query(`SELECT radius_server_id::text AS id FROM radacct_import_checkpoints`);
    expect(checkpoints).toEqual([{ id: ids.good }]);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain(`usage_meter_radacct_server_up{radius_server_id="${ids.unreachable}",name="unreachable"} 0`);
    expect(metrics).toContain(`usage_meter_radacct_server_up{radius_server_id="${ids.good}",name="good"} 1`);

    // The good one keeps importing while the others fail.
    await send(port, packet({ ...alice, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 800, 'Acct-Output-Octets': 10, 'Acct-Output-Gigawords': 1 }));
    expect(await eventually(totals, (v) => v.out === 800n)).toEqual({ in: GIB4 + 10n, out: 800n });
  });

  it('follows the changes made through the API, without a restart', async () => {
    // The wrong table is replaced by FreeRADIUS's: the server comes up, and its rows are imported.
    const connection = await createConnection({ host: wrong.host, port: wrong.port, user: wrong.user, password: wrong.password, database: wrong.name });
    await connection.query(`DROP TABLE radacct`);
    await connection.end();
    await applyRadacctSchema(wrong.url);
    expect((await eventually(servers, (s) => s['wrong-columns'].status === 'UP'))['wrong-columns'].status_message).toBeNull();

    // Disabled: no longer imported. Usage sent meanwhile is credited once it is enabled again.
    await t.gql(UPDATE, { id: ids.good, input: { enabled: false } });
    await eventually(radacctEntries, (e) => !e['radacct:good']);
    const bob = { 'User-Name': 'alice', 'NAS-IP-Address': '10.30.0.1', 'Acct-Session-Id': 'e2e-2' };
    await send(port, packet({ ...bob, 'Acct-Status-Type': 'Start' }), packet({ ...bob, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 5, 'Acct-Output-Octets': 6 }));
    await t.gql(UPDATE, { id: ids.good, input: { enabled: true, name: 'good-renamed' } });
    expect(await eventually(totals, (v) => v.out === 805n)).toEqual({ in: GIB4 + 16n, out: 805n });
    expect(Object.keys(await radacctEntries())).toContain('radacct:good-renamed');

    // Deleted, or no longer collecting: gone from ingest_status.
    await t.gql(`mutation($id: Int64Bit!) { deleteRadiusServer(id: $id) { success } }`, { id: ids.unreachable });
    await t.gql(UPDATE, { id: ids['wrong-columns'], input: { collect_bandwidth: false } });
    const left = await eventually(radacctEntries, (e) => !e['radacct:unreachable'] && !e['radacct:wrong-columns']);
    expect(Object.keys(left)).toEqual(['radacct:good-renamed']);
  });

  it('credits a session that two servers both logged once', async () => {
    await create({ ...mirror.server, name: 'mirror', collect_bandwidth: true });
    const before = await totals();
    // The NAS sends its accounting to both FreeRADIUS servers, each with its own database.
    const session = { 'User-Name': 'alice', 'NAS-IP-Address': '10.30.0.1', 'Acct-Session-Id': 'e2e-mirrored' };
    const packets = [
      packet({ ...session, 'Acct-Status-Type': 'Start' }),
      packet({ ...session, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 40, 'Acct-Output-Octets': 400 }),
    ];
    await send(port, ...packets);
    await send(mirrorPort, ...packets);
    // Only one server got the Stop: its snapshot is the larger one, and counts once.
    await send(mirrorPort, packet({ ...session, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 50, 'Acct-Output-Octets': 500 }));
    expect((await eventually(servers, (s) => s.mirror?.status === 'UP')).mirror.status).toBe('UP');
    const after = await eventually(totals, (v) => v.out - before.out === 50n);
    expect({ in: after.in - before.in, out: after.out - before.out }).toEqual({ in: 500n, out: 50n });
    // Both servers go on reading their radacct: still once.
    const servedBoth = async () => {
      const e = await radacctEntries();
      return Number(e['radacct:mirror'].details.find((d) => d.name === 'polls')!.count) + Number(e['radacct:good-renamed'].details.find((d) => d.name === 'polls')!.count);
    };
    const polls = await servedBoth();
    await eventually(servedBoth, (n) => n >= polls + 6);
    expect(await totals()).toEqual(after);
  });
});
