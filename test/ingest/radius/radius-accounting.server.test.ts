import dgram from 'node:dgram';
import radius from 'radius';
import type { DataSource } from 'typeorm';
import { RadiusAccountingServer } from '../../../src/ingest/radius/radius-accounting.server';
import { RadiusAccountingStore } from '../../../src/ingest/radius/radius-accounting.store';
import { RadiusClientRegistry } from '../../../src/ingest/radius/radius-clients.registry';
import { testEngines, openTestDataSource } from '../../support/database';
import { describeWithPeers } from '../../support/peers';
import { MapAttribution, TableLedger, packet, radclient, eventually } from './radius-test-support';

const SECRET = 'testing123';
const GIB4 = 2n ** 32n;

describeWithPeers('radclient').each(testEngines())('RADIUS accounting server on %s', (engine) => {
  let close: () => Promise<void>;
  let dataSource: DataSource;
  let server: RadiusAccountingServer;
  let store: RadiusAccountingStore;
  let port: number;
  let alice: number;
  let bob: number;
  const attribution = new MapAttribution();
  let failCommits = false;

  beforeAll(async () => {
    const opened = await openTestDataSource(engine);
    dataSource = opened.dataSource;
    close = opened.close;
    await TableLedger.createTable(dataSource);
    await dataSource.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    await dataSource.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
    const [a] = await dataSource.query(`INSERT INTO accounts (name, account_status_id, account_type_id) VALUES ('Alice', 1, 1) RETURNING id`);
    const [b] = await dataSource.query(`INSERT INTO accounts (name, account_status_id, account_type_id) VALUES ('Bob', 1, 1) RETURNING id`);
    alice = Number(a.id);
    bob = Number(b.id);
    await dataSource.query(`INSERT INTO radius_accounts (account_id, username) VALUES ($1, 'alice'), ($2, 'bob')`, [alice, bob]);
    await attribution.loadRadiusAccounts(dataSource);
    await dataSource.query(`INSERT INTO radius_clients (name, subnet, secret) VALUES ('lab', '127.0.0.0/8', $1)`, [SECRET]);

    const registry = new RadiusClientRegistry(dataSource);
    await registry.reload();
    store = new RadiusAccountingStore(dataSource, attribution, new TableLedger());
    const realCommit = store.commit.bind(store);
    store.commit = async (items) => {
      if (failCommits) throw new Error('connection refused (simulated database outage)');
      if (items.some((i) => i.request.sessionId === 'poison')) throw new Error('value out of range (simulated bad row)');
      return realCommit(items);
    };
    server = new RadiusAccountingServer(
      { port: 0, host: '127.0.0.1', batchMax: 1000, lanes: 3, queueMax: 10_000, replyCacheMs: 30_000, retryDelayMs: 200 },
      registry,
      store,
    );
    await server.start();
    port = server.address().port;
  });

  afterAll(async () => {
    await server?.stop();
    await close?.();
  });

  it('credits Start / Interim / Stop with gigawords exactly, in = Acct-Output-Octets, and keeps a soft IP while open', async () => {
    const base = { 'User-Name': 'alice', 'NAS-IP-Address': '10.9.0.1', 'Acct-Session-Id': 'alice-1', 'Framed-IP-Address': '100.64.0.7' };
    const start = await radclient(port, SECRET, [packet({ ...base, 'Acct-Status-Type': 'Start', 'Event-Timestamp': 1700000000 })], ['-r', '3', '-t', '1']);
    expect(start.code).toBe(0);
    const held = await dataSource.query(`SELECT subnet::text, ipassignmentable_type, ipassignmentable_id, soft FROM ip_assignments`);
    expect(held).toEqual([{ subnet: '100.64.0.7/32', ipassignmentable_type: 'RadiusAccount', ipassignmentable_id: expect.any(String), soft: true }]);

    const result = await radclient(port, SECRET, [
      packet({ ...base, 'Acct-Status-Type': 'Interim-Update', 'Event-Timestamp': 1700000300, 'Acct-Input-Octets': 1000, 'Acct-Output-Octets': 5000, 'Acct-Output-Gigawords': 1 }),
      packet({ ...base, 'Acct-Status-Type': 'Interim-Update', 'Event-Timestamp': 1700000600, 'Acct-Input-Octets': 3000, 'Acct-Input-Gigawords': 0, 'Acct-Output-Octets': 7, 'Acct-Output-Gigawords': 2 }),
      packet({ ...base, 'Acct-Status-Type': 'Stop', 'Event-Timestamp': 1700000700, 'Acct-Input-Octets': 4000, 'Acct-Output-Octets': 9, 'Acct-Output-Gigawords': 2, 'Acct-Terminate-Cause': 'User-Request' }),
      // A late duplicate Stop (new Identifier, same totals): counted once.
      packet({ ...base, 'Acct-Status-Type': 'Stop', 'Event-Timestamp': 1700000700, 'Acct-Delay-Time': 5, 'Acct-Input-Octets': 4000, 'Acct-Output-Octets': 9, 'Acct-Output-Gigawords': 2 }),
    ], ['-r', '3', '-t', '1']);
    expect(result.code).toBe(0);

    expect(await TableLedger.totals(dataSource, alice)).toEqual({ in: 2n * GIB4 + 9n, out: 4000n });
    const [session] = await dataSource.query(
      `SELECT host(nas_ip_address) AS nas, account_session_id, username, account_id, start, "end", terminate_reason, host(ip_address) AS ip, in_bytes, out_bytes FROM radius_sessions WHERE account_session_id = 'alice-1'`,
    );
    expect(session).toMatchObject({ nas: '10.9.0.1', username: 'alice', account_id: String(alice), terminate_reason: 'User-Request', ip: '100.64.0.7', in_bytes: String(2n * GIB4 + 9n), out_bytes: '4000' });
    expect(new Date(session.start).getTime()).toBe(1700000000_000);
    expect(new Date(session.end).getTime()).toBe(1700000700_000);
    const [usageRow] = await dataSource.query(`SELECT DISTINCT parent, identifier FROM test_usage WHERE account_id = $1`, [alice]);
    expect(usageRow).toEqual({ parent: 'RADIUS', identifier: '10.9.0.1' });
    expect(await dataSource.query(`SELECT * FROM ip_assignments`)).toEqual([]);
  });

  it('answers a retransmission (same id and authenticator) from the cache and never counts it twice', async () => {
    const raw = radius.encode({
      code: 'Accounting-Request',
      identifier: 77,
      secret: SECRET,
      attributes: [
        ['User-Name', 'bob'], ['NAS-IP-Address', '10.9.0.2'], ['Acct-Session-Id', 'bob-1'], ['Acct-Status-Type', 'Interim-Update'],
        ['Acct-Input-Octets', 111], ['Acct-Output-Octets', 222],
      ],
    });
    const client = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    client.on('message', (m) => replies.push(m));
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    const send = (b: Buffer) => new Promise<void>((r) => client.send(b, port, '127.0.0.1', () => r()));
    await send(raw);
    await eventually(async () => replies.length, (n) => n >= 1);
    await send(raw);
    await send(raw);
    await eventually(async () => replies.length, (n) => n >= 3);
    expect(replies[1].equals(replies[0])).toBe(true);
    expect(replies[0][0]).toBe(5);
    expect(replies[0][1]).toBe(77);
    // The NAS gave up and re-sent with a new Identifier and a bumped Acct-Delay-Time: same totals, nothing more.
    const resent = radius.encode({
      code: 'Accounting-Request', identifier: 78, secret: SECRET,
      attributes: [
        ['User-Name', 'bob'], ['NAS-IP-Address', '10.9.0.2'], ['Acct-Session-Id', 'bob-1'], ['Acct-Status-Type', 'Interim-Update'],
        ['Acct-Input-Octets', 111], ['Acct-Output-Octets', 222], ['Acct-Delay-Time', 10],
      ],
    });
    await send(resent);
    await eventually(async () => replies.length, (n) => n >= 4);
    client.close();
    expect(server.metrics.retransmissions).toBeGreaterThanOrEqual(2);
    expect(await TableLedger.totals(dataSource, bob)).toEqual({ in: 222n, out: 111n });
  });

  it('acknowledges nothing while the database fails, and loses nothing once it is back (radclient -r 3 -t 1)', async () => {
    failCommits = true;
    const failedBefore = server.metrics.dropped.store_failed;
    setTimeout(() => (failCommits = false), 1500);
    const base = { 'User-Name': 'bob', 'NAS-IP-Address': '10.9.0.2', 'Acct-Session-Id': 'bob-2' };
    const result = await radclient(port, SECRET, [
      packet({ ...base, 'Acct-Status-Type': 'Start' }),
      packet({ ...base, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 1_000_000, 'Acct-Output-Octets': 3_000_000, 'Acct-Output-Gigawords': 3 }),
    ], ['-r', '5', '-t', '1']);
    expect(result.code).toBe(0);
    expect(server.metrics.dropped.store_failed).toBeGreaterThan(failedBefore);
    expect(await TableLedger.totals(dataSource, bob)).toEqual({ in: 222n + 3n * GIB4 + 3_000_000n, out: 111n + 1_000_000n });
  });

  it('drops a wrong secret and an unknown client silently, counting why', async () => {
    const badAuth = server.metrics.dropped.bad_authenticator;
    const result = await radclient(port, 'wrong-secret', [packet({ 'User-Name': 'bob', 'Acct-Session-Id': 'x', 'Acct-Status-Type': 'Start' })], ['-r', '1', '-t', '0.3']);
    expect(result.code).not.toBe(0);
    expect(server.metrics.dropped.bad_authenticator).toBeGreaterThan(badAuth);
  });

  it('Accounting-On closes every open session of the NAS and releases its addresses', async () => {
    const base = { 'User-Name': 'alice', 'NAS-IP-Address': '10.9.0.3', 'Framed-IP-Address': '100.64.0.9' };
    await radclient(port, SECRET, [
      packet({ ...base, 'Acct-Session-Id': 'on-1', 'Acct-Status-Type': 'Start' }),
      packet({ 'User-Name': 'bob', 'NAS-IP-Address': '10.9.0.3', 'Acct-Session-Id': 'on-2', 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 5 }),
    ]);
    expect(await dataSource.query(`SELECT subnet::text FROM ip_assignments`)).toEqual([{ subnet: '100.64.0.9/32' }]);
    const result = await radclient(port, SECRET, [packet({ 'NAS-IP-Address': '10.9.0.3', 'Acct-Status-Type': 'Accounting-On' })]);
    expect(result.code).toBe(0);
    const open = await dataSource.query(`SELECT session_key FROM radius_sessions WHERE host(nas_ip_address) = '10.9.0.3' AND "end" IS NULL`);
    expect(open).toEqual([]);
    const reasons = await dataSource.query(`SELECT DISTINCT terminate_reason FROM radius_sessions WHERE host(nas_ip_address) = '10.9.0.3'`);
    expect(reasons).toEqual([{ terminate_reason: 'NAS-Reboot' }]);
    expect(await dataSource.query(`SELECT subnet::text FROM ip_assignments`)).toEqual([]);
  });

  it('keeps serving after 5 000 garbage and mutated datagrams on its socket', async () => {
    const client = dgram.createSocket('udp4');
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    const valid = radius.encode({ code: 'Accounting-Request', identifier: 1, secret: SECRET, attributes: [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'g'], ['User-Name', 'nobody']] });
    let seed = 99;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const receivedBefore = server.metrics.received;
    for (let i = 0; i < 5000; i++) {
      const d = i % 2 ? Buffer.from(Array.from({ length: rand(64) }, () => rand(256))) : Buffer.from(valid);
      if (i % 2 === 0) for (let k = 0; k < 3; k++) d[rand(d.length)] = rand(256);
      await new Promise<void>((r) => client.send(d, port, '127.0.0.1', () => r()));
    }
    client.close();
    await eventually(async () => server.metrics.received - receivedBefore, (n) => n >= 4900);
    const result = await radclient(port, SECRET, [packet({ 'User-Name': 'bob', 'NAS-IP-Address': '10.9.0.4', 'Acct-Session-Id': 'after-fuzz', 'Acct-Status-Type': 'Start' })], ['-r', '3', '-t', '1']);
    expect(result.code).toBe(0);
    expect(server.metrics.droppedTotal()).toBeGreaterThan(0);
  });

  it('a request the database rejects is dropped alone: the rest of its batch is stored and answered', async () => {
    const client = dgram.createSocket('udp4');
    const replies = new Set<number>();
    client.on('message', (m) => replies.add(m[1]));
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    const failedBefore = server.metrics.dropped.store_failed;
    const request = (id: number, session: string) =>
      radius.encode({ code: 'Accounting-Request', identifier: id, secret: SECRET, attributes: [['User-Name', 'bob'], ['NAS-IP-Address', '10.9.0.5'], ['Acct-Session-Id', session], ['Acct-Status-Type', 'Interim-Update'], ['Acct-Input-Octets', 1]] });
    for (const [id, session] of [[1, 'ok-1'], [2, 'poison'], [3, 'ok-2'], [4, 'ok-3']] as const) client.send(request(id, session), port, '127.0.0.1');
    await eventually(async () => replies.size, (n) => n >= 3);
    await eventually(async () => server.metrics.dropped.store_failed, (n) => n > failedBefore);
    client.close();
    expect([...replies].sort()).toEqual([1, 3, 4]);
    expect(server.metrics.dropped.store_failed).toBe(failedBefore + 1);
  });

  it('answers a request whose counters no session could have reached, credits none of it, and counts from the last plausible totals', async () => {
    const base = { 'User-Name': 'bob', 'NAS-IP-Address': '10.9.0.9', 'Acct-Session-Id': 'wild', 'Event-Timestamp': 1700000000 };
    const before = await TableLedger.totals(dataSource, bob);
    const result = await radclient(port, SECRET, [
      packet({ ...base, 'Acct-Status-Type': 'Start' }),
      packet({ ...base, 'Acct-Status-Type': 'Interim-Update', 'Event-Timestamp': 1700000300, 'Acct-Input-Octets': 1000, 'Acct-Output-Octets': 2000 }),
      // 5 minutes later, (2^32 − 1) gigawords: 1.8e19 bytes, past bigint and anything a line carries.
      packet({ ...base, 'Acct-Status-Type': 'Interim-Update', 'Event-Timestamp': 1700000600, 'Acct-Input-Octets': 1500, 'Acct-Output-Octets': 4000, 'Acct-Output-Gigawords': 0xffffffff }),
      packet({ ...base, 'Acct-Status-Type': 'Stop', 'Event-Timestamp': 1700000900, 'Acct-Input-Octets': 1800, 'Acct-Output-Octets': 9000 }),
    ], ['-r', '3', '-t', '1']);
    expect(result.code).toBe(0); // every request answered: nothing for the NAS to send again
    const after = await TableLedger.totals(dataSource, bob);
    // The Stop's delta counts from the last plausible Interim (1000 / 2000), not from the wild one.
    expect({ in: after.in - before.in, out: after.out - before.out }).toEqual({ in: 9000n, out: 1800n });
    expect(server.metrics.implausible.get('10.9.0.9')).toBe(1);
    const [session] = await dataSource.query(`SELECT "end" IS NOT NULL AS closed, in_bytes, out_bytes FROM radius_sessions WHERE account_session_id = 'wild'`);
    expect(session).toEqual({ closed: true, in_bytes: '9000', out_bytes: '1800' });
  });

  it('strips NUL characters from text attributes instead of failing the batch', async () => {
    const result = await radclient(port, SECRET, [packet({ 'User-Name': 'bob', 'NAS-IP-Address': '10.9.0.6', 'Acct-Session-Id': 'nul', 'Acct-Status-Type': 'Start' })]);
    expect(result.code).toBe(0);
    const client = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    client.on('message', (m) => replies.push(m));
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    client.send(radius.encode({ code: 'Accounting-Request', identifier: 9, secret: SECRET, attributes: [['User-Name', 'b\u0000ob'], ['NAS-IP-Address', '10.9.0.6'], ['Acct-Session-Id', 'nu\u0000l2'], ['Acct-Status-Type', 'Start']] }), port, '127.0.0.1');
    await eventually(async () => replies.length, (n) => n >= 1);
    client.close();
    const rows = await dataSource.query(`SELECT account_session_id, username FROM radius_sessions WHERE host(nas_ip_address) = '10.9.0.6' ORDER BY account_session_id`);
    expect(rows).toEqual([{ account_session_id: 'nul', username: 'bob' }, { account_session_id: 'nul2', username: 'bob' }]);
  });

  it('notices a session changed behind its back (version check), answers nothing, and gets it right on the retransmission', async () => {
    const base = { 'User-Name': 'bob', 'NAS-IP-Address': '10.9.0.7', 'Acct-Session-Id': 'occ' };
    await radclient(port, SECRET, [packet({ ...base, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 100 })], ['-r', '3', '-t', '1']);
    // Another writer credits 50 more bytes of upload and bumps the version.
    await dataSource.query(`UPDATE radius_sessions SET input_octets_total = 150, out_bytes = 150, version = version + 1 WHERE account_session_id = 'occ'`);
    const before = await TableLedger.totals(dataSource, bob);
    const failed = server.metrics.dropped.store_failed;
    const result = await radclient(port, SECRET, [packet({ ...base, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 400 })], ['-r', '3', '-t', '1']);
    expect(result.code).toBe(0);
    expect(server.metrics.dropped.store_failed).toBe(failed + 1);
    const after = await TableLedger.totals(dataSource, bob);
    expect(after.out - before.out).toBe(250n);
  });

  it('a Start sent again to a restarted server (nothing cached) finds its stored session and credits nothing twice', async () => {
    const item = (status: 'Start' | 'Interim-Update', atS: number, upload: number) => ({
      nasAddress: '10.9.0.9',
      receivedMs: atS * 1000,
      request: {
        identifier: 1, status, userName: 'bob', sessionId: 'again', nasAddress: '10.9.0.9', eventTimestampS: atS, inputOctets: upload,
        framedIp: null, framedIpv6Prefix: null, delegatedIpv6Prefix: null, hasMessageAuthenticator: false,
      },
    });
    const before = await TableLedger.totals(dataSource, bob);
    await store.commit([item('Start', 1700005000, 0), item('Interim-Update', 1700005300, 100)]);
    const restarted = new RadiusAccountingStore(dataSource, attribution, new TableLedger());
    // The Start again (a NAS re-sending it with a new Identifier), then the next Interim, in one batch.
    const summary = await restarted.commit([item('Start', 1700005000, 0), item('Interim-Update', 1700005600, 300)]);
    expect(summary.sessionsOpened).toBe(0);
    const after = await TableLedger.totals(dataSource, bob);
    expect(after.out - before.out).toBe(300n);
    const rows = await dataSource.query(`SELECT start, output_octets_total::text AS total FROM radius_sessions WHERE account_session_id = 'again'`);
    expect(rows).toEqual([{ start: new Date(1700005000_000), total: '0' }]);
  });

  it('an address taken over by another login in the same batch ends with the new holder', async () => {
    const item = (user: string, session: string, status: 'Start' | 'Stop', atS: number) => ({
      nasAddress: '10.9.0.8',
      receivedMs: atS * 1000,
      request: {
        identifier: 1, status, userName: user, sessionId: session, nasAddress: '10.9.0.8', eventTimestampS: atS,
        framedIp: '100.64.7.7', framedIpv6Prefix: null, delegatedIpv6Prefix: null, hasMessageAuthenticator: false,
      },
    });
    await store.commit([item('alice', 'take-a', 'Start', 1700001000)]);
    // bob's Start is seen before alice's (late) Stop, both in one transaction.
    await store.commit([item('bob', 'take-b', 'Start', 1700002000), item('alice', 'take-a', 'Stop', 1700001900)]);
    const rows = await dataSource.query(`SELECT subnet::text, ipassignmentable_id FROM ip_assignments WHERE subnet = '100.64.7.7/32'`);
    const [bobRadius] = await dataSource.query(`SELECT id FROM radius_accounts WHERE username = 'bob'`);
    expect(rows).toEqual([{ subnet: '100.64.7.7/32', ipassignmentable_id: bobRadius.id }]);
    // A late duplicate of alice's Stop changes nothing.
    await store.commit([item('alice', 'take-a', 'Stop', 1700001900)]);
    expect(await dataSource.query(`SELECT ipassignmentable_id FROM ip_assignments WHERE subnet = '100.64.7.7/32'`)).toEqual([{ ipassignmentable_id: bobRadius.id }]);
    await store.commit([item('bob', 'take-b', 'Stop', 1700003000)]);
  });
});
