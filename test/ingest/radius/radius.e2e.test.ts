import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';
import { describeWithPeers } from '../../support/peers';
import { freeUdpPort, packet, radclient } from './radius-test-support';

/**
 * The whole service as a NAS and an operator see it: radclient sends Start / Interim / Stop
 * with gigawords (and -r 3 -t 1 retransmissions) to the running service, and the GraphQL
 * usage totals equal the expected bytes exactly.
 */
const GIB4 = 2n ** 32n;

describeWithPeers('radclient').each(testEngines())('RADIUS end to end through the service on %s', (engine) => {
  let t: TestApp;
  let port: number;
  let accountId: string;

  beforeAll(async () => {
    port = await freeUdpPort();
    t = await startTestApp(engine, { RADIUS_ACCT_PORT: String(port), RADIUS_ACCT_HOST: '127.0.0.1', RADIUS_CLIENTS_REFRESH_MS: '200' });
    const status = await t.gql(`mutation { createAccountStatus(input: {name: "Active", activates_account: true}) { id } }`);
    const type = await t.gql(`mutation { createAccountType(input: {name: "Residential"}) { id } }`);
    const account = await t.gql(`mutation($s: Int64Bit!, $t: Int64Bit!) { createAccount(input: {name: "Alice", account_status_id: $s, account_type_id: $t}) { id } }`, {
      s: status.data.createAccountStatus.id,
      t: type.data.createAccountType.id,
    });
    accountId = account.data.createAccount.id;
    const radiusAccount = await t.gql(`mutation($a: Int64Bit!) { createRadiusAccount(input: {account_id: $a, username: "alice"}) { id } }`, { a: accountId });
    expect(radiusAccount.errors).toBeUndefined();
    const client = await t.gql(`mutation { createRadiusClient(input: {name: "bng", subnet: "127.0.0.0/8", secret: "e2e-secret"}) { id } }`);
    expect(client.errors).toBeUndefined();
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('credits exactly what the NAS counted, once, labelled RADIUS + NAS address', async () => {
    // No Event-Timestamp: event time = receive time, after the RadiusAccount was created
    // (usage is attributed to whoever held the login at the time of the traffic).
    const now = Math.floor(Date.now() / 1000);
    const base = { 'User-Name': 'alice', 'NAS-IP-Address': '192.0.2.10', 'Acct-Session-Id': 'e2e-1', 'Framed-IP-Address': '100.64.20.1' };
    // -r 5 -t 1: the first tries may arrive before the client list reloads (dropped, retried).
    const sent = await radclient(port, 'e2e-secret', [
      packet({ ...base, 'Acct-Status-Type': 'Start' }),
      packet({ ...base, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 1000, 'Acct-Output-Octets': 123, 'Acct-Output-Gigawords': 1 }),
      // The same totals again with a new Identifier (a NAS that gave up and re-sent): nothing more.
      packet({ ...base, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 1000, 'Acct-Output-Octets': 123, 'Acct-Output-Gigawords': 1 }),
      packet({ ...base, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 5000, 'Acct-Input-Gigawords': 2, 'Acct-Output-Octets': 456, 'Acct-Output-Gigawords': 3 }),
    ], ['-r', '5', '-t', '1']);
    expect(sent.code).toBe(0);

    const totals = await t.gql(
      `query($a: Int64Bit!, $s: Datetime!, $e: Datetime!) { data_usage_totals(account_id: $a, start_datetime: $s, end_datetime: $e) {
        entities { billable_in_bytes billable_out_bytes free_in_bytes free_out_bytes data_source_parent data_source_identifier } } }`,
      { a: accountId, s: new Date((now - 3600) * 1000).toISOString(), e: new Date((now + 3600) * 1000).toISOString() },
    );
    expect(totals.errors).toBeUndefined();
    const rows = totals.data.data_usage_totals.entities;
    expect(rows.map((r: { data_source_parent: string; data_source_identifier: string }) => [r.data_source_parent, r.data_source_identifier])).toEqual([['RADIUS', '192.0.2.10']]);
    const sum = (field: 'in' | 'out') => rows.reduce((acc: bigint, r: Record<string, string>) => acc + BigInt(r[`billable_${field}_bytes`]) + BigInt(r[`free_${field}_bytes`]), 0n);
    expect(sum('in')).toBe(3n * GIB4 + 456n);
    expect(sum('out')).toBe(2n * GIB4 + 5000n);

    const sessions = await t.gql(`{ radius_session_histories(account_session_id: "e2e-1") { entities { account_id inbytes outbytes end ip_address } } }`);
    expect(sessions.data.radius_session_histories.entities).toEqual([
      expect.objectContaining({ account_id: accountId, inbytes: String(3n * GIB4 + 456n), outbytes: String(2n * GIB4 + 5000n), ip_address: '100.64.20.1' }),
    ]);
  });
});
