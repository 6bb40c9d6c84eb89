import { testEngines } from '../../support/database';
import { startTestApp, TestApp } from '../../support/app';

describe.each(testEngines())('preseem settings API on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });

  afterAll(async () => {
    await t.stop();
  });

  const FIELDS = 'enabled api_key_present base_url interval _version';

  it('starts disabled with defaults', async () => {
    const res = await t.gql(`{ preseem { ${FIELDS} } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.preseem).toEqual({ enabled: false, api_key_present: false, base_url: null, interval: 900, _version: '1' });
  });

  it('updates only what was sent, keeps the key write-only, and unsets on request', async () => {
    const update = `mutation($input: UpdatePreseemMutationInput!) { updatePreseem(input: $input) { ${FIELDS} } }`;
    let res = await t.gql(update, { input: { api_key: 'secret-key-123', base_url: 'https://api.preseem.example/', interval: 600 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.updatePreseem).toMatchObject({ enabled: false, api_key_present: true, base_url: 'https://api.preseem.example', interval: 600 });
    expect(res.data.updatePreseem._version).toBe('2');
    expect(JSON.stringify(res)).not.toContain('secret-key-123');

    res = await t.gql(update, { input: { enabled: true } });
    expect(res.data.updatePreseem).toMatchObject({ enabled: true, api_key_present: true, interval: 600 });

    // The key cannot be read back through any field.
    res = await t.gql(`{ __type(name: "Preseem") { fields { name } } }`);
    expect(res.data.__type.fields.map((f: { name: string }) => f.name)).not.toContain('api_key');

    res = await t.gql(update, { input: { enabled: false, unset_api_key: true } });
    expect(res.data.updatePreseem).toMatchObject({ enabled: false, api_key_present: false, base_url: 'https://api.preseem.example' });
  });

  it.each([
    [{ interval: 5 }, /interval must be a whole number of seconds between 60 and 86400/],
    [{ base_url: 'ftp://x' }, /base_url must start with http/],
    [{ base_url: 'https://user:pw@api.preseem.example' }, /must not contain credentials/],
    [{ enabled: true, unset_api_key: true }, /cannot be enabled without both base_url and api_key/],
    [{ api_key: 'x', unset_api_key: true }, /both a value for api_key and unset_api_key/],
    // As for every other update: clearing is explicit, null is not "leave as is".
    [{ base_url: null }, /Preseem.base_url: to clear it send unset_base_url: true, not null/],
    [{ enabled: null }, /Preseem.enabled cannot be null/],
  ])('refuses %j with BAD_USER_INPUT', async (input, message) => {
    const res = await t.gql(`mutation($input: UpdatePreseemMutationInput!) { updatePreseem(input: $input) { enabled } }`, { input });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(message);
  });

  it('requires a token', async () => {
    const res = await t.gql(`{ preseem { enabled } }`, {}, { token: null });
    expect(res.status).toBe(401);
  });
});
