import { gzipSync } from 'node:zlib';
import { startTestApp, TestApp } from '../support/app';
import { testEngines } from '../support/database';

describe.each(testEngines())('HTTP front door on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.stop());

  it('refuses a request without a token with 401 UNAUTHENTICATED', async () => {
    const response = await t.gql('{ personal_access_tokens { id } }', {}, { token: null });
    expect(response.status).toBe(401);
    expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a malformed token and an unknown one', async () => {
    const malformed = await t.gql('{ personal_access_tokens { id } }', {}, { token: 'short' });
    expect([malformed.status, malformed.errors?.[0].message]).toEqual([401, 'Malformed token']);
    const unknown = await t.gql('{ personal_access_tokens { id } }', {}, { token: 'um_' + 'x'.repeat(43) });
    expect([unknown.status, unknown.errors?.[0].message]).toEqual([401, 'Unknown or revoked token']);
  });

  it('creates a token that works once and stops working when deleted', async () => {
    const created = await t.gql(`mutation { createPersonalAccessToken(input: {name: "middleware", scopes: [write]}) { id token hint } }`);
    const { id, token, hint } = created.data.createPersonalAccessToken;
    expect(token).toMatch(/^um_[A-Za-z0-9_-]{43}$/);
    expect(token.endsWith(hint)).toBe(true);

    const answered = await t.gql('{ account_statuses { entities { id } } }', {}, { token });
    expect([answered.status, answered.errors]).toEqual([200, undefined]);
    const listed = await t.gql('{ personal_access_tokens { id name hint token scopes revoked } }');
    expect(listed.data.personal_access_tokens).toContainEqual({ id, name: 'middleware', hint, token: null, scopes: ['read', 'write'], revoked: false });
    expect(JSON.stringify(listed)).not.toContain(token);
    const used = await t.gql('{ personal_access_tokens { id last_used_at } }');
    expect(used.data.personal_access_tokens.find((p: { id: string }) => p.id === id).last_used_at).not.toBeNull();

    const deleted = await t.gql(`mutation($id: Int64Bit!) { deletePersonalAccessToken(id: $id) { success } }`, { id });
    expect(deleted.data.deletePersonalAccessToken.success).toBe(true);
    const after = await t.gql('{ account_statuses { entities { id } } }', {}, { token });
    expect(after.status).toBe(401);
  });

  it('answers a 70-bit integer with BAD_USER_INPUT and changes nothing', async () => {
    const response = await t.gql(`mutation { deletePersonalAccessToken(id: "1180591620717411303424") { success } }`);
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toMatch(/out of range/);
    const tokens = await t.gql('{ personal_access_tokens { id } }');
    expect(tokens.data.personal_access_tokens.length).toBeGreaterThan(0);
  });

  it('reports a missing row as NOT_FOUND', async () => {
    const response = await t.gql(`mutation { deletePersonalAccessToken(id: 999999) { success } }`);
    expect(response.errors?.[0]).toMatchObject({ message: 'PersonalAccessToken 999999 does not exist', extensions: { code: 'NOT_FOUND' } });
  });

  describe('bodies and methods', () => {
    const post = (body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) =>
      fetch(`${t.url}/api/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}`, ...headers },
        body,
      });

    it('answers malformed JSON with 400 BAD_USER_INPUT', async () => {
      const response = await post('{"query": ');
      const body = await response.json();
      expect(response.status).toBe(400);
      expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(body.errors[0].message).toMatch(/^Bad request: /);
    });

    it('refuses a body over the limit with 413 and says the limit', async () => {
      const response = await post(JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(17 * 1024 * 1024) }));
      expect(response.status).toBe(413);
      expect((await response.json()).errors[0].message).toBe('Request body larger than 16mb');
    });

    it('reads a gzip-compressed body', async () => {
      const response = await post(new Uint8Array(gzipSync(JSON.stringify({ query: '{ __typename }' }))), { 'content-encoding': 'gzip' });
      expect([response.status, await response.json()]).toEqual([200, { data: { __typename: 'Query' } }]);
    });

    it('refuses a body that is not JSON, and a form post as CSRF, with 400 and changes nothing', async () => {
      const mutation = 'mutation { createPersonalAccessToken(input: {name: "x"}) { id } }';
      const yaml = await post(`query: ${mutation}`, { 'content-type': 'application/yaml' });
      expect(yaml.status).toBe(400);
      expect((await yaml.json()).errors[0].message).toMatch(/POST body missing, invalid Content-Type/);
      const form = await post(`query=${mutation}`, { 'content-type': 'text/plain' });
      expect(form.status).toBe(400);
      expect((await form.json()).errors[0].message).toMatch(/Cross-Site Request Forgery/);
      const tokens = await t.gql('{ personal_access_tokens { name } }');
      expect(tokens.data.personal_access_tokens.map((p: { name: string }) => p.name)).not.toContain('x');
    });

    it('answers a query sent by GET, with the search string', async () => {
      const response = await fetch(`${t.url}/api/graphql?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { authorization: `Bearer ${t.token}`, 'apollo-require-preflight': 'true' },
      });
      expect([response.status, await response.json()]).toEqual([200, { data: { __typename: 'Query' } }]);
    });

    it('echoes a sane x-request-id and replaces an unsafe one', async () => {
      const kept = await post(JSON.stringify({ query: '{ __typename }' }), { 'x-request-id': 'mw-batch-42' });
      expect(kept.headers.get('x-request-id')).toBe('mw-batch-42');
      const replaced = await post(JSON.stringify({ query: '{ __typename }' }), { 'x-request-id': 'a b<script>' });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers with a trailing slash or another case too, and leaves other paths to the other routes', async () => {
      const slash = await fetch(`${t.url}/api/graphql/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect([slash.status, await slash.json()]).toEqual([200, { data: { __typename: 'Query' } }]);
      const upper = await fetch(`${t.url}/API/GraphQL?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { authorization: `Bearer ${t.token}`, 'apollo-require-preflight': 'true' },
      });
      expect(upper.status).toBe(200);
      expect((await fetch(`${t.url}/api/graphqlx`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${t.url}/api/graphql/x`, { method: 'POST' })).status).toBe(404);
    });
  });

  it('serves health, readiness and metrics', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain('usage_meter_process_cpu_seconds_total');
  });

  it('serves GraphiQL with every asset from this service', async () => {
    const page = await (await fetch(`${t.url}/graphiql`)).text();
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.sort()).toEqual([
      '/favicon.ico',
      '/graphiql/assets/graphiql.min.css',
      '/graphiql/assets/graphiql.min.js',
      '/graphiql/assets/react-dom.production.min.js',
      '/graphiql/assets/react.production.min.js',
    ]);
    for (const asset of assets) {
      const response = await fetch(`${t.url}${asset}`);
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(asset === '/favicon.ico' ? 100 : 1000);
    }
  });
});
