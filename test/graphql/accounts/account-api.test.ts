import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';

const ACCOUNT_FIELDS = 'id sonar_unique_id _version created_at updated_at name account_status_id account_type_id activation_date archived_at bill_day';

describe.each(testEngines())('accounts and IP assignments API on %s', (engine) => {
  let t: TestApp;
  let statusId: string;
  let typeId: string;

  const error = (response: { errors?: { message: string; extensions?: { code?: string } }[] }) => ({
    code: response.errors?.[0]?.extensions?.code,
    message: response.errors?.[0]?.message,
  });
  const createAccount = async (name: string, extra = '') => {
    const r = await t.gql(
      `mutation($s: Int64Bit!, $t: Int64Bit!) { createAccount(input: {name: "${name}", account_status_id: $s, account_type_id: $t ${extra}}) { ${ACCOUNT_FIELDS} } }`,
      { s: statusId, t: typeId },
    );
    expect(r.errors).toBeUndefined();
    return r.data.createAccount;
  };
  const count = async (table: string) => Number((await t.app.services.dataSource.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    t = await startTestApp(engine);
    const status = await t.gql(`mutation { createAccountStatus(input: {name: "Active"}) { id name activates_account } }`);
    statusId = status.data.createAccountStatus.id;
    expect(status.data.createAccountStatus).toEqual({ id: statusId, name: 'Active', activates_account: true });
    typeId = (await t.gql(`mutation { createAccountType(input: {name: "Residential"}) { id } }`)).data.createAccountType.id;
  });
  afterAll(() => t.stop());

  describe('accounts', () => {
    it('creates an account with every common field', async () => {
      const account = await createAccount('Alice', ', activation_date: "2026-01-15", bill_day: 5');
      expect(account).toEqual({
        id: expect.stringMatching(/^\d+$/),
        sonar_unique_id: Buffer.from(`Account:${account.id}`).toString('base64url'),
        _version: '1',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updated_at: expect.stringMatching(/Z$/),
        name: 'Alice',
        account_status_id: statusId,
        account_type_id: typeId,
        activation_date: '2026-01-15',
        archived_at: null,
        bill_day: 5,
      });
    });

    it('updates only the fields sent, unsets, and refuses value + unset together', async () => {
      const { id } = await createAccount('Bob', ', activation_date: "2026-02-01", bill_day: 7');
      const renamed = await t.gql(`mutation($id: Int64Bit!) { updateAccount(id: $id, input: {name: "Bobby"}) { name activation_date bill_day _version } }`, { id });
      expect(renamed.data.updateAccount).toEqual({ name: 'Bobby', activation_date: '2026-02-01', bill_day: 7, _version: '2' });
      const unset = await t.gql(`mutation($id: Int64Bit!) { updateAccount(id: $id, input: {unset_activation_date: true}) { name activation_date _version } }`, { id });
      expect(unset.data.updateAccount).toEqual({ name: 'Bobby', activation_date: null, _version: '3' });
      const both = await t.gql(`mutation($id: Int64Bit!) { updateAccount(id: $id, input: {activation_date: "2026-03-01", unset_activation_date: true}) { id } }`, { id });
      expect(error(both)).toEqual({ code: 'BAD_USER_INPUT', message: 'Account: both a value for activation_date and unset_activation_date were sent; send one of them' });
      const day = await t.gql(`mutation($id: Int64Bit!) { updateAccount(id: $id, input: {bill_day: 29}) { id } }`, { id });
      expect(error(day)).toEqual({ code: 'BAD_USER_INPUT', message: 'bill_day must be between 1 and 28 (got 29)' });
      const after = await t.gql(`query($id: Int64Bit!) { accounts(id: $id) { entities { name bill_day activation_date _version } } }`, { id });
      expect(after.data.accounts.entities).toEqual([{ name: 'Bobby', bill_day: 7, activation_date: null, _version: '3' }]);
    });

    it('archives and unarchives', async () => {
      const { id } = await createAccount('Carol');
      const archived = await t.gql(`mutation($id: Int64Bit!) { archiveAccount(id: $id) { archived_at } }`, { id });
      expect(archived.data.archiveAccount.archived_at).toMatch(/Z$/);
      const unarchived = await t.gql(`mutation($id: Int64Bit!) { unarchiveAccount(id: $id) { archived_at } }`, { id });
      expect(unarchived.data.unarchiveAccount.archived_at).toBeNull();
      const missing = await t.gql(`mutation { archiveAccount(id: 999999) { id } }`);
      expect(error(missing)).toEqual({ code: 'NOT_FOUND', message: 'Account 999999 does not exist' });
    });

    it('refuses a missing status and a 70-bit integer', async () => {
      const before = await count('accounts');
      const r = await t.gql(`mutation($t: Int64Bit!) { createAccount(input: {name: "X", account_status_id: 424242, account_type_id: $t}) { id } }`, { t: typeId });
      expect(error(r)).toEqual({ code: 'NOT_FOUND', message: 'AccountStatus 424242 does not exist' });
      const big = await t.gql(`query { accounts(id: "1180591620717411303424") { entities { id } } }`);
      expect(error(big)).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/out of range/) });
      const bigVar = await t.gql(`mutation($id: Int64Bit!) { archiveAccount(id: $id) { id } }`, { id: '1180591620717411303424' });
      expect(error(bigVar)).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/out of range/) });
      expect(await count('accounts')).toBe(before);
    });
  });

  describe('lists', () => {
    beforeAll(async () => {
      for (const [name, day] of [['Page Dave', 2], ['Page Erin', 3], ['Page Frank', 2], ['Page Grace', 1], ['Page Heidi', 3]] as const) {
        await createAccount(name, `, bill_day: ${day}`);
      }
    });
    const mine = `{string_fields: [{attribute: "name", search_value: "Page ", match: true, partial_matching: true}]}`;

    it('paginates and reports page_info', async () => {
      const r = await t.gql(`{ accounts(search: [${mine}], paginator: {page: 2, records_per_page: 2}) { entities { name } page_info { page total_pages total_count records_per_page } } }`);
      expect(r.data.accounts).toEqual({
        entities: [{ name: 'Page Frank' }, { name: 'Page Grace' }],
        page_info: { page: 2, total_pages: 3, total_count: 5, records_per_page: 2 },
      });
    });

    it('sorts, and searches with AND inside a Search and OR between Searches', async () => {
      const sorted = await t.gql(`{ accounts(search: [${mine}], sorter: [{attribute: "bill_day", direction: DESC}, {attribute: "name", direction: ASC}]) { entities { name } } }`);
      expect(sorted.data.accounts.entities.map((a: { name: string }) => a.name)).toEqual(['Page Erin', 'Page Heidi', 'Page Dave', 'Page Frank', 'Page Grace']);
      const and = await t.gql(`{ accounts(search: [{string_fields: [{attribute: "name", search_value: "page", match: true, partial_matching: true}], integer_fields: [{attribute: "bill_day", search_value: 3, operator: EQ}]}]) { entities { name } } }`);
      expect(and.data.accounts.entities).toEqual([{ name: 'Page Erin' }, { name: 'Page Heidi' }]);
      const or = await t.gql(`{ accounts(search: [
          {string_fields: [{attribute: "name", search_value: "Page Dave", match: true}]},
          {string_fields: [{attribute: "name", search_value: "Page Grace", match: true}], boolean_fields: []}
        ]) { entities { name } } }`);
      expect(or.data.accounts.entities).toEqual([{ name: 'Page Dave' }, { name: 'Page Grace' }]);
      const dated = await t.gql(`{ accounts(search: [${mine.slice(0, -1)}, datetime_fields: [{attribute: "created_at", search_value: "2000-01-01T00:00:00+02:00", operator: GT}]}]) { page_info { total_count } } }`);
      expect(dated.data.accounts.page_info.total_count).toBe(5);
      const equality = await t.gql(`{ accounts(bill_day: 2, general_search: "page") { entities { name } } }`);
      expect(equality.data.accounts.entities).toEqual([{ name: 'Page Dave' }, { name: 'Page Frank' }]);
    });

    it('general_search matches part of a name, case-insensitively', async () => {
      const r = await t.gql(`{ accounts(general_search: "EIDI") { entities { name } } }`);
      expect(r.data.accounts.entities).toEqual([{ name: 'Page Heidi' }]);
    });

    it('refuses an unknown attribute, page size 0 and 100000, naming the problem', async () => {
      const unknown = await t.gql(`{ accounts(search: [{string_fields: [{attribute: "nmae", search_value: "x", match: true}]}]) { entities { id } } }`);
      expect(error(unknown)).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/^Account has no attribute "nmae"/) });
      const sorter = await t.gql(`{ accounts(sorter: [{attribute: "id; DROP TABLE accounts", direction: ASC}]) { entities { id } } }`);
      expect(error(sorter).code).toBe('BAD_USER_INPUT');
      for (const size of [0, 100000]) {
        const r = await t.gql(`{ accounts(paginator: {page: 1, records_per_page: ${size}}) { entities { id } } }`);
        expect(error(r)).toEqual({ code: 'BAD_USER_INPUT', message: `paginator.records_per_page must be between 1 and 10000 (got ${size})` });
      }
      const page0 = await t.gql(`{ accounts(paginator: {page: 0, records_per_page: 10}) { entities { id } } }`);
      expect(error(page0).code).toBe('BAD_USER_INPUT');
      expect(await count('accounts')).toBeGreaterThan(0);
    });
  });

  describe('devices, RADIUS accounts and IP assignments', () => {
    let alice: string;
    let bob: string;
    let itemId: string;
    let radiusId: string;
    beforeAll(async () => {
      alice = (await createAccount('IP Alice')).id;
      bob = (await createAccount('IP Bob')).id;
    });

    it('creates a device and a RADIUS account whose password is never returned', async () => {
      const item = await t.gql(`mutation($a: Int64Bit!) { createInventoryItem(input: {inventoryitemable_id: $a, name: "CPE", mac_address: "00:11:22:33:44:55"}) { id sonar_unique_id name mac_address inventoryitemable_type inventoryitemable_id } }`, { a: alice });
      itemId = item.data.createInventoryItem.id;
      expect(item.data.createInventoryItem).toMatchObject({ name: 'CPE', inventoryitemable_type: 'Account', inventoryitemable_id: alice });
      const radius = await t.gql(`mutation($a: Int64Bit!) { createRadiusAccount(input: {account_id: $a, username: "alice@isp", password: "hunter2"}) { id username account_id } }`, { a: alice });
      radiusId = radius.data.createRadiusAccount.id;
      expect(JSON.stringify(radius)).not.toContain('hunter2');
      const asked = await t.gql(`{ radius_accounts { entities { password } } }`);
      expect(error(asked).code).toBe('BAD_USER_INPUT');
      const dup = await t.gql(`mutation($a: Int64Bit!) { createRadiusAccount(input: {account_id: $a, username: "alice@isp"}) { id } }`, { a: bob });
      expect(error(dup)).toEqual({ code: 'CONFLICT', message: `RADIUS username "alice@isp" is already used by RadiusAccount ${radiusId} (account ${alice})` });
      expect(await count('radius_accounts')).toBe(1);
    });

    it('assigns subnets to every owner type and resolves them to the account', async () => {
      const create = (subnet: string, type: string, id: string, extra = '') =>
        t.gql(`mutation($id: Int64Bit!) { createIpAssignment(input: {subnet: "${subnet}", ipassignmentable_type: ${type}, ipassignmentable_id: $id ${extra}}) { id sonar_unique_id _version subnet ipassignmentable_type ipassignmentable_id soft description reference } }`, { id });
      const direct = await create('192.0.2.0/24', 'Account', alice, ', description: "office", reference: "T-1"');
      expect(direct.data.createIpAssignment).toMatchObject({ subnet: '192.0.2.0/24', ipassignmentable_type: 'Account', ipassignmentable_id: alice, soft: false, description: 'office', reference: 'T-1', _version: '1' });
      expect((await create('198.51.100.7', 'InventoryItem', itemId)).data.createIpAssignment.subnet).toBe('198.51.100.7/32');
      expect((await create('2001:DB8::/48', 'RadiusAccount', radiusId, ', soft: true')).data.createIpAssignment).toMatchObject({ subnet: '2001:db8::/48', soft: true });
      expect((await create('192.0.2.128/25', 'Account', bob)).errors).toBeUndefined();

      const flat = await t.gql(`query($a: Int64Bit!) { account_ip_assignments(account_id: $a) { entities { account_id subnet } page_info { total_count } } }`, { a: alice });
      expect(flat.data.account_ip_assignments).toEqual({
        entities: [
          { account_id: alice, subnet: '192.0.2.0/24' },
          { account_id: alice, subnet: '198.51.100.7/32' },
          { account_id: alice, subnet: '2001:db8::/48' },
        ],
        page_info: { total_count: 3 },
      });

      const tree = await t.gql(`query($a: Int64Bit!) { accounts(id: $a) { entities {
          account_status { name }
          ip_assignments { entities { subnet } }
          inventory_items { entities { ip_assignments { entities { subnet } } } }
          radius_accounts { entities { username ip_assignments { entities { subnet soft } } } }
        } } }`, { a: alice });
      expect(tree.data.accounts.entities[0]).toEqual({
        account_status: { name: 'Active' },
        ip_assignments: { entities: [{ subnet: '192.0.2.0/24' }] },
        inventory_items: { entities: [{ ip_assignments: { entities: [{ subnet: '198.51.100.7/32' }] } }] },
        radius_accounts: { entities: [{ username: 'alice@isp', ip_assignments: { entities: [{ subnet: '2001:db8::/48', soft: true }] } }] },
      });

      const inside = await t.gql(`{ ip_assignments(search: [{ip_address_fields: [{attribute: "subnet", search_value: "192.0.2.0/24", match: true}]}]) { entities { subnet } } }`);
      expect(inside.data.ip_assignments.entities).toEqual([{ subnet: '192.0.2.0/24' }, { subnet: '192.0.2.128/25' }]);
      const general = await t.gql(`{ ip_assignments(general_search: "2001:db8:") { entities { subnet } } }`);
      expect(general.data.ip_assignments.entities).toEqual([{ subnet: '2001:db8::/48' }]);
      const byEquality = await t.gql(`{ ip_assignments(subnet: "198.51.100.7") { entities { ipassignmentable_type } } }`);
      expect(byEquality.data.ip_assignments.entities).toEqual([{ ipassignmentable_type: 'InventoryItem' }]);
      const histories = await t.gql(`{ ip_assignment_histories(paginator: {page: 1, records_per_page: 10}) { page_info { page records_per_page } } }`);
      expect(histories.data.ip_assignment_histories.page_info).toEqual({ page: 1, records_per_page: 10 });
    });

    it('refuses a held subnet, a missing owner and bad subnets, changing nothing', async () => {
      const before = await count('ip_assignments');
      const attempt = (subnet: string, type: string, id: string) =>
        t.gql(`mutation($id: Int64Bit!) { createIpAssignment(input: {subnet: "${subnet}", ipassignmentable_type: ${type}, ipassignmentable_id: $id}) { id } }`, { id });
      const held = await attempt('198.51.100.7/32', 'Account', bob);
      expect(error(held)).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(new RegExp(`^Subnet 198.51.100.7/32 is already assigned to InventoryItem ${itemId} \\(account ${alice}\\)`)) });
      expect(error(await attempt('203.0.113.0/24', 'InventoryItem', '777777'))).toEqual({ code: 'NOT_FOUND', message: 'InventoryItem 777777 does not exist' });
      expect(error(await attempt('10.0.0.7/24', 'Account', alice))).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/did you mean 10.0.0.0\/24 or 10.0.0.7\/32/) });
      expect(error(await attempt('10.0.0.0/33', 'Account', alice)).code).toBe('BAD_USER_INPUT');
      expect(error(await attempt('not-an-ip', 'Account', alice)).code).toBe('BAD_USER_INPUT');
      expect(error(await attempt('::ffff:10.0.0.1', 'Account', alice))).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/IPv4-mapped IPv6 address; use the IPv4 form 10.0.0.1\/32/) });
      expect(error(await attempt('203.0.113.0/24', 'Building', alice)).code).toBe('BAD_USER_INPUT');
      expect(await count('ip_assignments')).toBe(before);
    });

    it('updates with unset, and deletes with a SuccessResponse', async () => {
      const created = await t.gql(`mutation($a: Int64Bit!) { createIpAssignment(input: {subnet: "203.0.113.0/28", ipassignmentable_type: Account, ipassignmentable_id: $a, description: "d", reference: "r"}) { id } }`, { a: bob });
      const id = created.data.createIpAssignment.id;
      const updated = await t.gql(`mutation($id: Int64Bit!) { updateIpAssignment(id: $id, input: {unset_description: true, soft: true}) { subnet description reference soft _version } }`, { id });
      expect(updated.data.updateIpAssignment).toEqual({ subnet: '203.0.113.0/28', description: null, reference: 'r', soft: true, _version: '2' });
      const deleted = await t.gql(`mutation($id: Int64Bit!) { deleteIpAssignment(id: $id) { success message } }`, { id });
      expect(deleted.data.deleteIpAssignment).toEqual({ success: true, message: null });
      const again = await t.gql(`mutation($id: Int64Bit!) { deleteIpAssignment(id: $id) { success } }`, { id });
      expect(error(again)).toEqual({ code: 'NOT_FOUND', message: `IpAssignment ${id} does not exist` });
    });

    it('deleting a device releases its addresses; a status in use cannot be deleted', async () => {
      const deleted = await t.gql(`mutation($id: Int64Bit!) { deleteInventoryItem(id: $id) { success } }`, { id: itemId });
      expect(deleted.data.deleteInventoryItem.success).toBe(true);
      const left = await t.gql(`{ ip_assignments(ipassignmentable_type: InventoryItem) { page_info { total_count } } }`);
      expect(left.data.ip_assignments.page_info.total_count).toBe(0);
      const status = await t.gql(`mutation($id: Int64Bit!) { deleteAccountStatus(id: $id) { success } }`, { id: statusId });
      expect(error(status)).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/is used by \d+ account/) });
    });
  });
});
