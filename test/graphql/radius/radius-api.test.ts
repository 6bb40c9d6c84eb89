import { RadiusAccountingServer } from '../../../src/ingest/radius/radius-accounting.server';
import { RadiusAccountingStore } from '../../../src/ingest/radius/radius-accounting.store';
import { RadiusClientRegistry } from '../../../src/ingest/radius/radius-clients.registry';
import { testEngines } from '../../support/database';
import { describeWithPeers } from '../../support/peers';
import { startTestApp, TestApp } from '../../support/app';
import { MapAttribution, packet, radclient, TableLedger } from '../../ingest/radius/radius-test-support';

describeWithPeers('radclient').each(testEngines())('RADIUS GraphQL on %s', (engine) => {
  let t: TestApp;
  let server: RadiusAccountingServer;
  let registry: RadiusClientRegistry;

  beforeAll(async () => {
    t = await startTestApp(engine);
    const dataSource = t.app.services.dataSource;
    await TableLedger.createTable(dataSource);
    registry = new RadiusClientRegistry(dataSource);
    const attribution = new MapAttribution();
    server = new RadiusAccountingServer(
      { port: 0, host: '127.0.0.1', batchMax: 100, queueMax: 1000, replyCacheMs: 10_000, retryDelayMs: 100 },
      registry,
      new RadiusAccountingStore(dataSource, attribution, new TableLedger()),
    );
    await server.start();
    await dataSource.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    await dataSource.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
    const [account] = await dataSource.query(`INSERT INTO accounts (name, account_status_id, account_type_id) VALUES ('Alice', 1, 1) RETURNING id`);
    await dataSource.query(`INSERT INTO radius_accounts (account_id, username) VALUES ($1, 'alice')`, [account.id]);
    await attribution.loadRadiusAccounts(dataSource);
  });

  afterAll(async () => {
    await server?.stop();
    await t?.stop();
  });

  it('creates, lists, updates and deletes radius clients; the secret is write-only', async () => {
    const created = await t.gql(`mutation { createRadiusClient(input: {name: "bng-1", subnet: "127.0.0.0/8", secret: "s3cret"}) { id name subnet sonar_unique_id _version } }`);
    expect(created.errors).toBeUndefined();
    expect(created.data.createRadiusClient).toMatchObject({ name: 'bng-1', subnet: '127.0.0.0/8', _version: '1' });
    const id = created.data.createRadiusClient.id;

    const noSecret = await t.gql(`{ radius_clients { entities { secret } } }`);
    expect(noSecret.errors?.[0].message).toMatch(/secret/);

    const duplicate = await t.gql(`mutation { createRadiusClient(input: {name: "again", subnet: "127.0.0.0/8", secret: "x"}) { id } }`);
    expect(duplicate.errors?.[0].extensions?.code).toBe('CONFLICT');
    const empty = await t.gql(`mutation { createRadiusClient(input: {name: "e", subnet: "10.0.0.0/8", secret: ""}) { id } }`);
    expect(empty.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    const updated = await t.gql(`mutation($id: Int64Bit!) { updateRadiusClient(id: $id, input: {name: "bng-one", secret: "testing123"}) { name subnet _version } }`, { id });
    expect(updated.data.updateRadiusClient).toEqual({ name: 'bng-one', subnet: '127.0.0.0/8', _version: '2' });

    const listed = await t.gql(`{ radius_clients(name: "bng-one") { entities { id name } page_info { total_count } } }`);
    expect(listed.data.radius_clients).toEqual({ entities: [{ id, name: 'bng-one' }], page_info: { total_count: 1 } });

    // The accounting server uses the secret set through the API.
    await registry.reload();
    const sent = await radclient(server.address().port, 'testing123', [
      packet({ 'User-Name': 'alice', 'NAS-IP-Address': '10.1.1.1', 'Acct-Session-Id': 'gql-1', 'Acct-Status-Type': 'Start', 'Framed-IP-Address': '100.64.9.9', 'Event-Timestamp': 1700000000 }),
      packet({ 'User-Name': 'alice', 'NAS-IP-Address': '10.1.1.1', 'Acct-Session-Id': 'gql-1', 'Acct-Status-Type': 'Stop', 'Event-Timestamp': 1700000600, 'Acct-Input-Octets': 10, 'Acct-Output-Octets': 20, 'Acct-Output-Gigawords': 1, 'Acct-Terminate-Cause': 'Idle-Timeout' }),
    ], ['-r', '3', '-t', '1']);
    expect(sent.code).toBe(0);

    const deleted = await t.gql(`mutation($id: Int64Bit!) { deleteRadiusClient(id: $id) { success } }`, { id });
    expect(deleted.data.deleteRadiusClient).toEqual({ success: true });
    const missing = await t.gql(`mutation($id: Int64Bit!) { deleteRadiusClient(id: $id) { success } }`, { id });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('lists radius_session_histories with the bytes credited', async () => {
    const result = await t.gql(`{ radius_session_histories(username: "alice") {
      entities { start end ip_address nas_ip_address account_session_id terminate_reason username account_id inbytes outbytes sonar_unique_id }
      page_info { total_count } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data.radius_session_histories.entities).toEqual([
      expect.objectContaining({
        start: '2023-11-14T22:13:20.000Z',
        end: '2023-11-14T22:23:20.000Z',
        ip_address: '100.64.9.9',
        nas_ip_address: '10.1.1.1',
        account_session_id: 'gql-1',
        terminate_reason: 'Idle-Timeout',
        username: 'alice',
        inbytes: String(2n ** 32n + 20n),
        outbytes: '10',
      }),
    ]);
    const search = await t.gql(`{ radius_session_histories(search: [{ip_address_fields: [{attribute: "ip_address", search_value: "100.64.0.0/16", match: true}]}]) { page_info { total_count } } }`);
    expect(search.errors).toBeUndefined();
    expect(search.data.radius_session_histories.page_info.total_count).toBe(1);
  });
});
