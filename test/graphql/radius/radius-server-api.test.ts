import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';

const FIELDS = `id sonar_unique_id _version name type enabled ip_address collect_bandwidth status status_message last_synchronized
  send_change_auth_on_delinquency send_change_auth_on_service_change send_change_auth_on_status_change created_at updated_at`;
/** Variable types as Sonar's schema declares them: a client copying them must be accepted. */
const CREATE = `mutation($input: CreateRadiusServerMutationInput) { createRadiusServer(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: Int64Bit!, $input: UpdateRadiusServerMutationInput) { updateRadiusServer(id: $id, input: $input) { ${FIELDS} } }`;
const DELETE = `mutation($id: Int64Bit!) { deleteRadiusServer(id: $id) { success } }`;

const PASSWORD = 'db-Passw0rd-never-shown';
const COA_SECRET = 'coa-secret-never-shown';

const mysqlServer = (overrides: Record<string, unknown> = {}) => ({
  name: 'freeradius-1',
  type: 'FREERADIUS_MYSQL',
  ip_address: '192.0.2.10',
  radius_server_credentials: [
    { credential: 'FREERADIUS_MYSQL_DATABASE_NAME', value: 'radius' },
    { credential: 'FREERADIUS_MYSQL_DATABASE_USERNAME', value: 'sonar' },
    { credential: 'FREERADIUS_MYSQL_DATABASE_PASSWORD', value: PASSWORD },
    { credential: 'FREERADIUS_MYSQL_DATABASE_PORT', value: '3307' },
    { credential: 'FREERADIUS_MYSQL_COA_PORT', value: '3799' },
  ],
  reply: COA_SECRET,
  ...overrides,
});

/** Sonar's RadiusServer over GraphQL: create, list, update, delete; credentials and the CoA secret never come back. */
describe.each(testEngines())('RadiusServer API on %s', (engine) => {
  let t: TestApp;
  const stored = async (id: string) =>
    (
      await t.app.services.dataSource.query(
        `SELECT database_name, database_username, database_password, database_port, coa_port, coa_secret FROM radius_servers WHERE id = $1`,
        [id],
      )
    )[0];

  beforeAll(async () => {
    // No server here collects bandwidth while the test looks; the import would only try to connect.
    t = await startTestApp(engine, { RADACCT_POLL_INTERVAL_MS: '3600000' });
  });
  afterAll(() => t?.stop());

  it('creates a server with Sonar defaults; credentials are stored, never returned', async () => {
    const created = await t.gql(CREATE, { input: mysqlServer() });
    expect(created.errors).toBeUndefined();
    const server = created.data.createRadiusServer;
    expect(server).toMatchObject({
      name: 'freeradius-1',
      type: 'FREERADIUS_MYSQL',
      enabled: true,
      ip_address: '192.0.2.10',
      collect_bandwidth: false,
      status: null,
      status_message: null,
      last_synchronized: null,
      send_change_auth_on_delinquency: false,
      _version: '1',
    });
    expect(await stored(server.id)).toEqual({
      database_name: 'radius',
      database_username: 'sonar',
      database_password: PASSWORD,
      database_port: 3307,
      coa_port: 3799,
      coa_secret: COA_SECRET,
    });

    const listed = await t.gql(`{ radius_servers { entities { ${FIELDS} } page_info { total_count } } }`);
    expect(listed.data.radius_servers.entities).toEqual([server]);
    for (const answer of [created, listed]) {
      expect(JSON.stringify(answer)).not.toContain(PASSWORD);
      expect(JSON.stringify(answer)).not.toContain(COA_SECRET);
    }
    for (const field of ['radius_server_credentials { value }', 'coa_secret', 'database_password']) {
      const asked = await t.gql(`{ radius_servers { entities { ${field} } } }`);
      expect(asked.errors?.[0].message).toMatch(/Cannot query field/);
    }
  });

  it('updates only what is sent: named credentials change, the others keep their values', async () => {
    const { id } = (await t.gql(CREATE, { input: mysqlServer({ name: 'to-update' }) })).data.createRadiusServer;
    const updated = await t.gql(UPDATE, {
      id,
      input: { collect_bandwidth: true, radius_server_credentials: [{ credential: 'FREERADIUS_MYSQL_DATABASE_PASSWORD', value: 'rotated' }], unset_coa_secret: true },
    });
    expect(updated.errors).toBeUndefined();
    expect(updated.data.updateRadiusServer).toMatchObject({ name: 'to-update', collect_bandwidth: true, enabled: true, ip_address: '192.0.2.10', _version: '2' });
    expect(await stored(id)).toEqual({
      database_name: 'radius',
      database_username: 'sonar',
      database_password: 'rotated',
      database_port: 3307,
      coa_port: 3799,
      coa_secret: null,
    });
    // An empty port means the engine's default again; an empty password means none.
    await t.gql(UPDATE, {
      id,
      input: {
        enabled: false,
        ip_address: '2001:db8::5',
        radius_server_credentials: [
          { credential: 'FREERADIUS_MYSQL_DATABASE_PORT', value: '' },
          { credential: 'FREERADIUS_MYSQL_DATABASE_PASSWORD', value: '' },
        ],
      },
    });
    expect(await stored(id)).toMatchObject({ database_port: null, database_password: null });
    const filtered = await t.gql(`{ radius_servers(enabled: false, collect_bandwidth: true, type: FREERADIUS_MYSQL) { entities { id ip_address } } }`);
    expect(filtered.data.radius_servers.entities).toEqual([{ id, ip_address: '2001:db8::5' }]);
    const searched = await t.gql(`{ radius_servers(general_search: "UPDATE") { entities { name } } }`);
    expect(searched.data.radius_servers.entities).toEqual([{ name: 'to-update' }]);

    expect((await t.gql(DELETE, { id })).data.deleteRadiusServer).toEqual({ success: true });
    expect((await t.gql(DELETE, { id })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(UPDATE, { id, input: { name: 'gone' } })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('takes a FREERADIUS_POSTGRESQL server with its own credentials', async () => {
    const created = await t.gql(CREATE, {
      input: {
        name: 'freeradius-pg',
        type: 'FREERADIUS_POSTGRESQL',
        ip_address: '198.51.100.7',
        collect_bandwidth: true,
        enabled: false,
        radius_server_credentials: [
          { credential: 'FREERADIUS_POSTGRESQL_DATABASE_NAME', value: 'radius' },
          { credential: 'FREERADIUS_POSTGRESQL_DATABASE_USERNAME', value: 'radius' },
        ],
      },
    });
    expect(created.errors).toBeUndefined();
    expect(created.data.createRadiusServer).toMatchObject({ type: 'FREERADIUS_POSTGRESQL', collect_bandwidth: true, enabled: false });
    expect(await stored(created.data.createRadiusServer.id)).toMatchObject({ database_port: null, database_password: null });
  });

  it.each([
    ['no input', null, /input is required/],
    ['a credential of another type', mysqlServer({ radius_server_credentials: [...mysqlServer().radius_server_credentials, { credential: 'FREERADIUS_POSTGRESQL_DATABASE_PORT', value: '5432' }] }), /FREERADIUS_POSTGRESQL_DATABASE_PORT is not a credential of a FREERADIUS_MYSQL server/],
    ['no database name', mysqlServer({ radius_server_credentials: [{ credential: 'FREERADIUS_MYSQL_DATABASE_USERNAME', value: 'u' }] }), /must include FREERADIUS_MYSQL_DATABASE_NAME/],
    ['a port that is not one', mysqlServer({ radius_server_credentials: [{ credential: 'FREERADIUS_MYSQL_DATABASE_PORT', value: '70000' }] }), /radius_server_credentials\[0\].*between 1 and 65535/],
    ['a credential twice', mysqlServer({ radius_server_credentials: [{ credential: 'FREERADIUS_MYSQL_DATABASE_NAME', value: 'a' }, { credential: 'FREERADIUS_MYSQL_DATABASE_NAME', value: 'b' }] }), /given twice/],
    ['a null credential', mysqlServer({ radius_server_credentials: [null] }), /radius_server_credentials\[0\] is null/],
    ['an empty name', mysqlServer({ name: '  ' }), /name must not be empty/],
  ])('refuses %s with BAD_USER_INPUT and stores nothing', async (_what, input, message) => {
    const before = (await t.gql(`{ radius_servers { page_info { total_count } } }`)).data.radius_servers.page_info.total_count;
    const refused = await t.gql(CREATE, { input });
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(refused.errors?.[0].message).toMatch(message);
    expect((await t.gql(`{ radius_servers { page_info { total_count } } }`)).data.radius_servers.page_info.total_count).toBe(before);
  });

  it('refuses an address that is not one, and null for a field that cannot be null, naming them', async () => {
    const address = await t.gql(CREATE, { input: mysqlServer({ ip_address: 'radius.example.net' }) });
    expect(address.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(address.errors?.[0].message).toMatch(/ip_address/);
    const { id } = (await t.gql(CREATE, { input: mysqlServer({ name: 'nulls' }) })).data.createRadiusServer;
    const nullEnabled = await t.gql(UPDATE, { id, input: { enabled: null } });
    expect(nullEnabled.errors?.[0]).toMatchObject({ message: 'RadiusServer.enabled cannot be null', extensions: { code: 'BAD_USER_INPUT' } });
    const nullInput = await t.gql(UPDATE, { id, input: null });
    expect(nullInput.errors?.[0]).toMatchObject({ message: 'input is required', extensions: { code: 'BAD_USER_INPUT' } });
  });
});
