import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';

/** An assignment made through the API is what the ingesters' attribution answers, at once. */
describe.each(testEngines())('attribution follows the API on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.stop());

  const ok = async (query: string, variables?: Record<string, unknown>) => {
    const response = await t.gql(query, variables);
    expect(response.errors).toBeUndefined();
    return response.data;
  };

  it('credits an address to the new owner as soon as the mutation returns, and to nobody after delete', async () => {
    const status = (await ok(`mutation { createAccountStatus(input: {name: "Active"}) { id } }`)).createAccountStatus.id;
    const type = (await ok(`mutation { createAccountType(input: {name: "Home"}) { id } }`)).createAccountType.id;
    const account = (await ok(`mutation($s: Int64Bit!, $t: Int64Bit!) { createAccount(input: {name: "Carol", account_status_id: $s, account_type_id: $t}) { id } }`, { s: status, t: type })).createAccount.id;
    const device = (await ok(`mutation($a: Int64Bit!) { createInventoryItem(input: {name: "CPE", inventoryitemable_type: Account, inventoryitemable_id: $a}) { id } }`, { a: account })).createInventoryItem.id;
    const assignment = (await ok(
      `mutation($d: Int64Bit!) { createIpAssignment(input: {subnet: "2001:db8:42::/48", ipassignmentable_type: InventoryItem, ipassignmentable_id: $d}) { id } }`,
      { d: device },
    )).createIpAssignment.id;

    const { attribution } = t.app.services;
    expect(attribution.accountForIp('2001:db8:42:7::1', Date.now())).toBe(Number(account));
    expect(attribution.accountForIp('2001:db8:43::1', Date.now())).toBeNull();

    await ok(`mutation($id: Int64Bit!) { deleteIpAssignment(id: $id) { success } }`, { id: assignment });
    expect(attribution.accountForIp('2001:db8:42:7::1', Date.now())).toBeNull();
  });
});
