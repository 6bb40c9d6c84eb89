import { testEngines } from '../../support/database';
import { startTestApp, TestApp } from '../../support/app';

describe.each(testEngines())('inline devices API on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });

  afterAll(async () => {
    await t.stop();
  });

  const FIELDS = 'id sonar_unique_id _version name type ip_address port username enabled use_tls system_name';
  const create = `mutation($input: CreateInlineDeviceMutationInput!) { createInlineDevice(input: $input) { ${FIELDS} } }`;
  const update = `mutation($id: Int64Bit!, $input: UpdateInlineDeviceMutationInput!) { updateInlineDevice(id: $id, input: $input) { ${FIELDS} } }`;

  it('creates, lists, filters, updates and deletes devices; the password is never returned', async () => {
    let res = await t.gql(create, {
      input: { name: 'core-saisei', type: 'SAISEI', ip_address: '192.0.2.10', port: 5029, username: 'admin', password: 'hunter2', use_tls: true, system_name: 'edge-1' },
    });
    expect(res.errors).toBeUndefined();
    const saisei = res.data.createInlineDevice;
    expect(saisei).toMatchObject({
      name: 'core-saisei',
      type: 'SAISEI',
      ip_address: '192.0.2.10',
      port: 5029,
      username: 'admin',
      enabled: true,
      use_tls: true,
      system_name: 'edge-1',
      _version: '1',
    });
    expect(JSON.stringify(res)).not.toContain('hunter2');

    res = await t.gql(create, { input: { name: 'pl-1', type: 'PACKETLOGIC', ip_address: '2001:db8::1' } });
    expect(res.errors).toBeUndefined();
    const pl = res.data.createInlineDevice;
    expect(pl).toMatchObject({ type: 'PACKETLOGIC', ip_address: '2001:db8::1', port: null, use_tls: false, system_name: null });

    res = await t.gql(`{ inline_devices(type: SAISEI) { entities { name } page_info { total_count } } }`);
    expect(res.data.inline_devices).toEqual({ entities: [{ name: 'core-saisei' }], page_info: { total_count: 1 } });
    res = await t.gql(`{ inline_devices(paginator: {page: 1, records_per_page: 1}, sorter: [{attribute: "name", direction: DESC}]) { entities { name } page_info { total_pages } } }`);
    expect(res.data.inline_devices).toEqual({ entities: [{ name: 'pl-1' }], page_info: { total_pages: 2 } });
    res = await t.gql(`{ inline_devices(search: [{string_fields: [{attribute: "password", search_value: "hunter2", match: true}]}]) { entities { name } } }`);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    res = await t.gql(`{ inline_devices(system_name: "edge-1") { entities { name } } }`);
    expect(res.data.inline_devices.entities).toEqual([{ name: 'core-saisei' }]);

    res = await t.gql(update, { id: saisei.id, input: { port: 5000, use_tls: false, unset_username: true, unset_system_name: true, password: 'new-secret' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.updateInlineDevice).toMatchObject({ name: 'core-saisei', port: 5000, use_tls: false, username: null, system_name: null, _version: '2' });
    expect(JSON.stringify(res)).not.toContain('new-secret');

    res = await t.gql(`mutation($id: Int64Bit!) { deleteInlineDevice(id: $id) { success } }`, { id: pl.id });
    expect(res.data.deleteInlineDevice).toEqual({ success: true });
    res = await t.gql(`mutation($id: Int64Bit!) { deleteInlineDevice(id: $id) { success } }`, { id: pl.id });
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');

    res = await t.gql(`{ __type(name: "InlineDevice") { fields { name } } }`);
    expect(res.data.__type.fields.map((f: { name: string }) => f.name)).not.toContain('password');
  });

  it.each([
    [{ name: ' ', type: 'SAISEI', ip_address: '192.0.2.1' }, /name/],
    [{ name: 'x', type: 'SAISEI', ip_address: '192.0.2.1', port: 70000 }, /port must be between 1 and 65535/],
    [{ name: 'x', type: 'SAISEI', ip_address: '192.0.2.1', system_name: 'stm/../x' }, /system_name "stm\/\.\.\/x" is not a SaiSei REST system name/],
  ])('refuses %j with BAD_USER_INPUT', async (input, message) => {
    const res = await t.gql(create, { input });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(message);
  });
});
