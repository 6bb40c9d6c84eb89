import {
  getNamedType,
  GraphQLField,
  GraphQLInputType,
  GraphQLSchema,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { declaredScope } from '../../../src/graphql/auth/scope';
import { buildGraphQLSchema } from '../../../src/graphql/schema';
import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';

/** A value each scalar of the schema accepts, so that an operation built from the schema passes validation and coercion. */
const SCALAR_SAMPLES: Record<string, unknown> = {
  String: 'x',
  ID: '1',
  Int: 1,
  Float: 1,
  Boolean: false,
  Int64Bit: '1',
  Decimal: '1',
  Date: '2026-01-01',
  Datetime: '2026-01-01T00:00:00Z',
  IP: '192.0.2.1',
  SubnetScalar: '192.0.2.0/24',
};

function sampleOf(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleOf(type.ofType);
  if (isListType(type)) return [sampleOf(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
    return Object.fromEntries(required.map((field) => [field.name, sampleOf(field.type)]));
  }
  if (isScalarType(type) && type.name in SCALAR_SAMPLES) return SCALAR_SAMPLES[type.name];
  throw new Error(`no sample value for ${String(type)}: add one to SCALAR_SAMPLES`);
}

/**
 * A valid operation on one root field, with every required argument given (ids are 1, which the
 * seeded rows have): it passes validation and variable coercion, so only the scope check stops it.
 */
function operationOn(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>) {
  const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
  const declarations = required.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const args = required.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
  return {
    query: `${kind}${declarations ? `(${declarations})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`,
    variables: Object.fromEntries(required.map((arg) => [arg.name, sampleOf(arg.type)])),
  };
}

describe.each(testEngines())('token scopes on %s', (engine) => {
  let t: TestApp;
  let schema: GraphQLSchema;
  const tokens = { read: '', write: '', admin: '' };

  const createToken = async (scopes: string) => {
    const created = await t.gql(`mutation { createPersonalAccessToken(input: {name: "${scopes}", scopes: ${scopes}}) { token scopes } }`);
    expect(created.errors).toBeUndefined();
    return created.data.createPersonalAccessToken as { token: string; scopes: string[] };
  };

  /** Admin writes, failing loudly: the seed is what a refused mutation must leave untouched. */
  const seed = async (query: string, variables?: Record<string, unknown>) => {
    const response = await t.gql(query, variables);
    expect(response.errors).toBeUndefined();
    return response.data;
  };

  /**
   * Every table's rows, hashed. The token's own use changes only personal_access_tokens.last_used_at,
   * which is left out; everything else must stay as it was.
   */
  const fingerprint = async () => {
    const { dataSource } = t.app.services;
    const tables: { name: string }[] = await dataSource.query(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    const prints: Record<string, string> = {};
    for (const { name } of tables) {
      const rows = name === 'personal_access_tokens' ? `(SELECT id, name, token_hash, hint, scope, version, updated_at FROM ${name})` : `"${name}"`;
      const [{ print }] = await dataSource.query(
        `SELECT count(*) || ':' || md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) AS print FROM ${rows} r`,
      );
      prints[name] = print;
    }
    return prints;
  };

  beforeAll(async () => {
    t = await startTestApp(engine);
    schema = await buildGraphQLSchema();
    tokens.admin = t.token;
    tokens.read = (await createToken('[read]')).token;
    tokens.write = (await createToken('[write]')).token;

    // A row with id 1 wherever a mutation takes an id: a refused update or delete would change one of them.
    await seed(`mutation { createAccountStatus(input: {name: "Active"}) { id } createAccountType(input: {name: "Residential"}) { id } }`);
    await seed(`mutation { createAccount(input: {name: "A", account_status_id: 1, account_type_id: 1}) { id } }`);
    await seed(`mutation {
      createInventoryItem(input: {inventoryitemable_id: 1, name: "CPE"}) { id }
      createIpAssignment(input: {ipassignmentable_id: 1, ipassignmentable_type: Account, subnet: "192.0.2.0/24"}) { id }
      createRadiusAccount(input: {account_id: 1, username: "a@example.net"}) { id }
      createUsageBasedBillingPolicy(input: {name: "100 GB", cap_in_gigabytes: "100"}) { id }
      createDataUsageTopOff(input: {account_id: 1, amount_in_bytes: "1000"}) { id }
      createRadiusClient(input: {name: "nas", subnet: "198.51.100.0/24", secret: "s3cret-s3cret"}) { id }
      createNetflowEndpoint(input: {name: "edge"}) { id }
      createInlineDevice(input: {name: "pl", type: PACKETLOGIC, ip_address: "198.51.100.9", enabled: false}) { id }
      updatePreseem(input: {enabled: false, base_url: "https://preseem.example.net"}) { enabled }
    }`);
    await seed(`mutation {
      createUsageBasedBillingPolicyFreePeriod(input: {usage_based_billing_policy_id: 1, day: SUNDAY, start: "01:00", end: "05:00"}) { id }
      setAccountUsageBasedBillingPolicy(account_id: 1, usage_based_billing_policy_id: 1) { success }
      createNetflowAllowedSubnet(input: {netflow_endpoint_id: 1, subnet: "203.0.113.0/24"}) { id }
      createNetflowWhitelist(input: {netflow_endpoint_id: 1, subnet: "192.0.2.0/24"}) { id }
    }`);
    const recent = new Date(Date.now() - 10 * 60_000).toISOString();
    await seed(
      `mutation($input: [CreateDataUsageMutationInput!]!) { createDataUsages(input: $input) { success message } }`,
      {
        input: [0, 1].map((step) => ({
          account_id: '1', data_source_parent: 'API', data_source_identifier: 'mw',
          time: new Date(Date.parse(recent) + step * 60_000).toISOString(), inbytes: String(1000 * (step + 1)), outbytes: '0',
        })),
      },
    );
  });
  afterAll(() => t.stop());

  it('refuses every mutation in the schema to a read token with FORBIDDEN naming the scope it needs, and changes nothing', async () => {
    const before = await fingerprint();
    const mutations = Object.values(schema.getMutationType()!.getFields());
    const answers = [];
    for (const field of mutations) {
      const { query, variables } = operationOn('mutation', field);
      const response = await t.gql(query, variables, { token: tokens.read });
      const errors = response.errors?.map((e) => ({ message: e.message, code: e.extensions?.code }));
      answers.push({ mutation: field.name, data: response.data, errors });
    }
    expect(answers).toEqual(
      mutations.map((field) => ({
        mutation: field.name,
        data: null,
        errors: [{ message: `${field.name} needs the ${declaredScope(field)} scope; this token has read`, code: 'FORBIDDEN' }],
      })),
    );
    expect(mutations.length).toBeGreaterThanOrEqual(48);
    expect(await fingerprint()).toEqual(before);
  });

  it('answers every query to a read token except the admin ones', async () => {
    const queries = Object.values(schema.getQueryType()!.getFields());
    const refused: string[] = [];
    for (const field of queries) {
      const { query, variables } = operationOn('query', field);
      const response = await t.gql(query, variables, { token: tokens.read });
      const forbidden = response.errors?.find((e) => e.extensions?.code === 'FORBIDDEN');
      if (forbidden) {
        expect(forbidden.message).toBe(`${field.name} needs the admin scope; this token has read`);
        refused.push(field.name);
      }
    }
    expect(refused).toEqual(queries.filter((field) => declaredScope(field) === 'admin').map((field) => field.name));
    expect(refused).toEqual(['personal_access_tokens']);
    const accounts = await t.gql('{ accounts { entities { id name } } }', {}, { token: tokens.read });
    expect(accounts.data.accounts.entities).toEqual([{ id: '1', name: 'A' }]);
  });

  it('lets a write token change data and usage, and refuses it tokens, collectors and settings', async () => {
    const write = (query: string, variables?: Record<string, unknown>) => t.gql(query, variables, { token: tokens.write });
    const account = await write(`mutation { createAccount(input: {name: "B", account_status_id: 1, account_type_id: 1}) { id name } }`);
    expect(account.errors).toBeUndefined();
    const accountId = account.data.createAccount.id;
    const assigned = await write(
      `mutation($id: Int64Bit!) {
        createIpAssignment(input: {ipassignmentable_id: $id, ipassignmentable_type: Account, subnet: "192.0.2.77"}) { subnet } }`,
      { id: accountId },
    );
    expect(assigned.data).toEqual({ createIpAssignment: { subnet: '192.0.2.77/32' } });
    const time = new Date(Date.now() - 5 * 60_000).toISOString();
    const usage = await write(`mutation($input: [CreateDataUsageMutationInput!]!) { createDataUsages(input: $input) { success } }`, {
      input: [{ account_id: accountId, data_source_parent: 'API', data_source_identifier: 'w', time, inbytes: '5', outbytes: '6' }],
    });
    expect(usage.data).toEqual({ createDataUsages: { success: true } });

    for (const [operation, query] of [
      ['createRadiusClient', `mutation { createRadiusClient(input: {name: "n2", subnet: "198.51.100.128/25", secret: "another-secret"}) { id } }`],
      ['createNetflowEndpoint', `mutation { createNetflowEndpoint(input: {name: "edge2"}) { id } }`],
      ['updatePreseem', `mutation { updatePreseem(input: {enabled: true}) { enabled } }`],
      ['createPersonalAccessToken', `mutation { createPersonalAccessToken(input: {name: "escalate", scopes: [admin]}) { token } }`],
      ['personal_access_tokens', `{ personal_access_tokens { id } }`],
    ]) {
      const refused = await write(query);
      expect(refused.errors).toEqual([
        expect.objectContaining({
          message: `${operation} needs the admin scope; this token has write`,
          extensions: { code: 'FORBIDDEN', required_scope: 'admin', token_scopes: ['read', 'write'] },
        }),
      ]);
    }
    const preseem = await t.gql('{ preseem { enabled } }');
    expect(preseem.data.preseem.enabled).toBe(false);
  });

  it('lets an admin token manage collectors and tokens; the bootstrap token is admin', async () => {
    const client = await t.gql(`mutation { createRadiusClient(input: {name: "n3", subnet: "198.51.100.64/26", secret: "third-secret"}) { name } }`);
    expect(client.data).toEqual({ createRadiusClient: { name: 'n3' } });
    const created = await createToken('[admin]');
    expect(created.scopes).toEqual(['read', 'write', 'admin']);
    const endpoint = await t.gql(`mutation { createNetflowEndpoint(input: {name: "edge3"}) { name } }`, {}, { token: created.token });
    expect(endpoint.data).toEqual({ createNetflowEndpoint: { name: 'edge3' } });
    const listed = await t.gql('{ personal_access_tokens { name scopes } }');
    expect(listed.data.personal_access_tokens).toContainEqual({ name: 'bootstrap (BOOTSTRAP_API_TOKEN)', scopes: ['read', 'write', 'admin'] });
  });

  it('creates a read token by default, holds every scope below the highest asked for, and refuses an empty list', async () => {
    const byDefault = await t.gql(`mutation { createPersonalAccessToken(input: {name: "front end"}) { scopes } }`);
    expect(byDefault.data).toEqual({ createPersonalAccessToken: { scopes: ['read'] } });
    expect((await createToken('[read, write]')).scopes).toEqual(['read', 'write']);
    expect((await createToken('[admin, read]')).scopes).toEqual(['read', 'write', 'admin']);
    const empty = await t.gql(`mutation { createPersonalAccessToken(input: {name: "none", scopes: []}) { id } }`);
    expect(empty.errors?.[0]).toMatchObject({ message: 'A token needs a scope: read, write or admin', extensions: { code: 'BAD_USER_INPUT' } });
  });
});
