import { DataSource } from 'typeorm';
import { AccountStatusService } from '../../src/accounts/account-status.service';
import { AccountTypeService } from '../../src/accounts/account-type.service';
import { AccountService } from '../../src/accounts/account.service';
import { InventoryItemService } from '../../src/accounts/inventory-item.service';
import { IpAssignmentHistoryService } from '../../src/accounts/ip-assignment-history.service';
import { IpAssignmentService } from '../../src/accounts/ip-assignment.service';
import { RadiusAccountService } from '../../src/accounts/radius-account.service';
import { DomainError } from '../../src/errors';
import { openTestDataSource, testEngines } from '../support/database';

async function rejects(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect([(error as DomainError).code, (error as DomainError).message]).toEqual([code, expect.stringMatching(message)]);
}

describe.each(testEngines())('account domain services on %s', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let refreshes = 0;
  const ownership = { refresh: async () => void refreshes++ };
  let statuses: AccountStatusService;
  let types: AccountTypeService;
  let accounts: AccountService;
  let items: InventoryItemService;
  let radius: RadiusAccountService;
  let ips: IpAssignmentService;
  let histories: IpAssignmentHistoryService;
  let statusId: number;
  let typeId: number;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDataSource(engine));
    statuses = new AccountStatusService(dataSource);
    types = new AccountTypeService(dataSource);
    accounts = new AccountService(dataSource);
    items = new InventoryItemService(dataSource, ownership);
    radius = new RadiusAccountService(dataSource, ownership);
    ips = new IpAssignmentService(dataSource, ownership);
    histories = new IpAssignmentHistoryService(dataSource);
    statusId = (await statuses.create({ name: 'Active' })).id;
    typeId = (await types.create({ name: 'Residential' })).id;
  });
  afterAll(() => close());

  const newAccount = (name: string, extra: object = {}) =>
    accounts.create({ name, account_status_id: statusId, account_type_id: typeId, ...extra });

  describe('accounts', () => {
    it('creates, updates only the fields sent, unsets, and bumps the version', async () => {
      const created = await newAccount('  Alice  ', { activation_date: '2026-01-15', bill_day: 5 });
      expect(created).toMatchObject({ name: 'Alice', activation_date: '2026-01-15', bill_day: 5, archived_at: null, version: 1 });
      const renamed = await accounts.update(created.id, { name: 'Alice B' });
      expect(renamed).toMatchObject({ name: 'Alice B', activation_date: '2026-01-15', bill_day: 5, version: 2 });
      const unset = await accounts.update(created.id, { unset_activation_date: true });
      expect(unset).toMatchObject({ name: 'Alice B', activation_date: null, version: 3 });
      expect(await accounts.get(created.id)).toMatchObject({ name: 'Alice B', activation_date: null, version: 3 });
    });

    it('archives and unarchives (never deletes)', async () => {
      const account = await newAccount('Archie');
      const archived = await accounts.archive(account.id);
      expect(archived.archived_at).toBeInstanceOf(Date);
      expect((await accounts.archive(account.id)).archived_at).toEqual(archived.archived_at);
      expect((await accounts.unarchive(account.id)).archived_at).toBeNull();
    });

    it('refuses bad input and changes nothing', async () => {
      const account = await newAccount('Bob', { bill_day: 3 });
      await rejects(newAccount('X', { bill_day: 29 }), 'BAD_USER_INPUT', /bill_day must be between 1 and 28 \(got 29\)/);
      await rejects(accounts.update(account.id, { bill_day: 0 }), 'BAD_USER_INPUT', /bill_day/);
      await rejects(accounts.update(account.id, { account_status_id: 999999 }), 'NOT_FOUND', /^AccountStatus 999999 does not exist$/);
      await rejects(newAccount('X', { account_type_id: 424242 }), 'NOT_FOUND', /AccountType 424242/);
      await rejects(accounts.update(account.id, { name: '  ' }), 'BAD_USER_INPUT', /name must not be empty/);
      await rejects(accounts.update(account.id, { activation_date: '2026-01-01', unset_activation_date: true }), 'BAD_USER_INPUT', /both a value/);
      await rejects(accounts.update(987654, { name: 'Y' }), 'NOT_FOUND', /Account 987654 does not exist/);
      expect(await accounts.get(account.id)).toMatchObject({ name: 'Bob', bill_day: 3, version: 1 });
      expect((await accounts.list({ filters: { name: 'X' } })).page_info.total_count).toBe(0);
    });

    it('refuses to delete a status in use', async () => {
      await rejects(statuses.delete(statusId), 'CONFLICT', /is used by \d+ account/);
    });
  });

  describe('lists', () => {
    let ids: number[];
    beforeAll(async () => {
      ids = [];
      for (const [name, day] of [['List Carol', 1], ['List Dave', 2], ['List Erin', 3], ['List Frank', 2], ['List Grace', 1]] as const) {
        ids.push((await newAccount(name, { bill_day: day })).id);
      }
    });
    const mine = { search: [{ string_fields: [{ attribute: 'name', search_value: 'List ', match: true, partial_matching: true }] }] };

    it('paginates with page_info', async () => {
      const page2 = await accounts.list({ ...mine, paginator: { page: 2, records_per_page: 2 } });
      expect(page2.entities.map((a) => a.name)).toEqual(['List Erin', 'List Frank']);
      expect(page2.page_info).toEqual({ page: 2, records_per_page: 2, total_count: 5, total_pages: 3 });
      const past = await accounts.list({ ...mine, paginator: { page: 9, records_per_page: 2 } });
      expect(past).toEqual({ entities: [], page_info: { page: 9, records_per_page: 2, total_count: 5, total_pages: 3 } });
    });

    it('sorts, filters by equality, ANDs inside a Search and ORs between them', async () => {
      const sorted = await accounts.list({ ...mine, sorter: [{ attribute: 'bill_day', direction: 'DESC' }, { attribute: 'name', direction: 'ASC' }] });
      expect(sorted.entities.map((a) => a.name)).toEqual(['List Erin', 'List Dave', 'List Frank', 'List Carol', 'List Grace']);
      expect((await accounts.list({ filters: { bill_day: 2, id: ids[1] } })).entities.map((a) => a.name)).toEqual(['List Dave']);
      const and = await accounts.list({
        search: [{ string_fields: [{ attribute: 'name', search_value: 'list', match: true, partial_matching: true }], integer_fields: [{ attribute: 'bill_day', search_value: 2, operator: 'EQ' }] }],
      });
      expect(and.entities.map((a) => a.name)).toEqual(['List Dave', 'List Frank']);
      const or = await accounts.list({
        search: [
          { string_fields: [{ attribute: 'name', search_value: 'List Carol', match: true }] },
          { string_fields: [{ attribute: 'name', search_value: 'List Erin', match: true }] },
        ],
      });
      expect(or.entities.map((a) => a.name)).toEqual(['List Carol', 'List Erin']);
      const since = await accounts.list({ ...mine, search: [{ ...mine.search[0], datetime_fields: [{ attribute: 'created_at', search_value: new Date(Date.now() - 3600_000), operator: 'GT' }] }] });
      expect(since.page_info.total_count).toBe(5);
    });

    it('general_search is a case-insensitive partial match', async () => {
      expect((await accounts.list({ general_search: 'RANK' })).entities.map((a) => a.name)).toEqual(['List Frank']);
      expect((await accounts.list({ general_search: '%' })).entities).toEqual([]);
    });

    it('an unknown attribute and an out-of-range page size are BAD_USER_INPUT', async () => {
      await rejects(accounts.list({ sorter: [{ attribute: 'password', direction: 'ASC' }] }), 'BAD_USER_INPUT', /Account has no attribute "password"/);
      await rejects(accounts.list({ paginator: { page: 1, records_per_page: 0 } }), 'BAD_USER_INPUT', /records_per_page/);
      await rejects(accounts.list({ paginator: { page: 1, records_per_page: 100000 } }), 'BAD_USER_INPUT', /records_per_page/);
    });
  });

  describe('ip assignments, devices and RADIUS accounts', () => {
    let alice: number;
    let bob: number;
    beforeAll(async () => {
      alice = (await newAccount('IP Alice')).id;
      bob = (await newAccount('IP Bob')).id;
    });

    it('creates on every owner type, normalized, and refreshes attribution after each change', async () => {
      const before = refreshes;
      const item = await items.create({ name: 'CPE', mac_address: '00-11-22-AA-BB-CC', inventoryitemable_id: alice });
      expect(item).toMatchObject({ mac_address: '00:11:22:aa:bb:cc', inventoryitemable_type: 'Account' });
      const login = await radius.create({ account_id: alice, username: 'alice@isp', password: 's3cret' });
      expect(login).not.toHaveProperty('password');
      const direct = await ips.create({ subnet: '192.0.2.0/24', ipassignmentable_type: 'Account', ipassignmentable_id: alice, description: 'office' });
      expect(direct).toMatchObject({ subnet: '192.0.2.0/24', soft: false, description: 'office', reference: null });
      const onItem = await ips.create({ subnet: '198.51.100.7', ipassignmentable_type: 'InventoryItem', ipassignmentable_id: item.id });
      expect(onItem.subnet).toBe('198.51.100.7/32');
      await ips.create({ subnet: '2001:DB8:0::/48', ipassignmentable_type: 'RadiusAccount', ipassignmentable_id: login.id, soft: true });
      // a more specific subnet inside a wider one is allowed
      await ips.create({ subnet: '192.0.2.128/25', ipassignmentable_type: 'Account', ipassignmentable_id: bob });
      expect(refreshes - before).toBe(5);

      const flat = await ips.accountSubnets(alice);
      expect(flat.entities).toEqual([
        { account_id: alice, subnet: '192.0.2.0/24' },
        { account_id: alice, subnet: '198.51.100.7/32' },
        { account_id: alice, subnet: '2001:db8::/48' },
      ]);
      expect(flat.page_info).toEqual({ page: 1, records_per_page: 100, total_count: 3, total_pages: 1 });
      expect((await ips.accountSubnets(alice, { page: 2, records_per_page: 2 })).page_info.total_count).toBe(3);
      expect((await ips.accountSubnets(null)).entities).toContainEqual({ account_id: bob, subnet: '192.0.2.128/25' });

      const unset = await items.update(item.id, { unset_mac_address: true, serial_number: 'SN1' });
      expect(unset).toMatchObject({ name: 'CPE', mac_address: null, serial_number: 'SN1' });
      expect(refreshes - before).toBe(5); // the device did not move
      // moving the device moves its address
      await items.update(item.id, { inventoryitemable_id: bob });
      expect((await ips.accountSubnets(bob)).entities.map((r) => r.subnet)).toEqual(['192.0.2.128/25', '198.51.100.7/32']);
      expect(refreshes - before).toBe(6);
    });

    it('never selects the RADIUS password, and can change or unset it', async () => {
      const login = await radius.create({ account_id: bob, username: 'bob@isp', password: 'pw1' });
      expect(await radius.get(login.id)).not.toHaveProperty('password');
      expect((await radius.list({ filters: { username: 'bob@isp' } })).entities[0]).not.toHaveProperty('password');
      await radius.update(login.id, { password: 'pw2' });
      expect((await dataSource.query('SELECT password FROM radius_accounts WHERE id = $1', [login.id]))[0].password).toBe('pw2');
      await radius.update(login.id, { unset_password: true });
      expect((await dataSource.query('SELECT password FROM radius_accounts WHERE id = $1', [login.id]))[0].password).toBeNull();
      await rejects(radius.list({ filters: { password: 'pw2' } }), 'BAD_USER_INPUT', /RadiusAccount has no attribute "password"/);
      const before = refreshes;
      await rejects(radius.update(login.id, { username: 'alice@isp' }), 'CONFLICT', /RADIUS username "alice@isp" is already used/);
      expect(refreshes).toBe(before);
      expect(await radius.update(login.id, { username: 'bobby@isp' })).toMatchObject({ username: 'bobby@isp', account_id: bob });
      expect(refreshes).toBe(before + 1);
    });

    it('refuses conflicts, missing owners and bad subnets, changing nothing', async () => {
      const count = async () => Number((await dataSource.query('SELECT count(*) AS n FROM ip_assignments'))[0].n);
      const before = await count();
      const refreshesBefore = refreshes;
      await rejects(
        ips.create({ subnet: '198.51.100.7/32', ipassignmentable_type: 'Account', ipassignmentable_id: alice }),
        'CONFLICT',
        /^Subnet 198.51.100.7\/32 is already assigned to InventoryItem \d+ \(account \d+\) by IpAssignment \d+$/,
      );
      await rejects(ips.create({ subnet: '192.0.2.0/24', ipassignmentable_type: 'Account', ipassignmentable_id: bob }), 'CONFLICT', /already assigned to Account \d+ by/);
      await rejects(ips.create({ subnet: '203.0.113.0/24', ipassignmentable_type: 'InventoryItem', ipassignmentable_id: 777777 }), 'NOT_FOUND', /^InventoryItem 777777 does not exist$/);
      await rejects(ips.create({ subnet: '203.0.113.0/24', ipassignmentable_type: 'RadiusAccount', ipassignmentable_id: 777777 }), 'NOT_FOUND', /RadiusAccount 777777/);
      await rejects(ips.create({ subnet: '203.0.113.0/24', ipassignmentable_type: 'Building' as never, ipassignmentable_id: alice }), 'BAD_USER_INPUT', /ipassignmentable_type must be one of/);
      await rejects(ips.create({ subnet: '10.0.0.7/24', ipassignmentable_type: 'Account', ipassignmentable_id: alice }), 'BAD_USER_INPUT', /did you mean 10.0.0.0\/24 or 10.0.0.7\/32/);
      await rejects(ips.create({ subnet: '10.0.0.0/33', ipassignmentable_type: 'Account', ipassignmentable_id: alice }), 'BAD_USER_INPUT', /not a CIDR subnet/);
      await rejects(ips.create({ subnet: 'banana', ipassignmentable_type: 'Account', ipassignmentable_id: alice }), 'BAD_USER_INPUT', /subnet/);
      await rejects(ips.create({ subnet: '::ffff:10.0.0.1', ipassignmentable_type: 'Account', ipassignmentable_id: alice }), 'BAD_USER_INPUT', /IPv4-mapped IPv6 address; use the IPv4 form 10.0.0.1\/32/);
      await rejects(radius.create({ account_id: bob, username: 'alice@isp' }), 'CONFLICT', /RADIUS username "alice@isp" is already used by RadiusAccount \d+/);
      await rejects(radius.create({ account_id: 555555, username: 'nobody' }), 'NOT_FOUND', /Account 555555/);
      await rejects(items.create({ inventoryitemable_id: 555555 }), 'NOT_FOUND', /Account 555555/);
      await rejects(items.create({ inventoryitemable_id: alice, mac_address: 'zz' }), 'BAD_USER_INPUT', /not a MAC address/);
      expect(await count()).toBe(before);
      expect(refreshes).toBe(refreshesBefore);
      expect((await radius.list({ filters: { username: 'nobody' } })).page_info.total_count).toBe(0);
    });

    it('updates an assignment (only sent fields, unset) and refuses taking a held subnet', async () => {
      const a = await ips.create({ subnet: '203.0.113.0/28', ipassignmentable_type: 'Account', ipassignmentable_id: alice, description: 'd', reference: 'r' });
      const updated = await ips.update(a.id, { unset_description: true, soft: true });
      expect(updated).toMatchObject({ subnet: '203.0.113.0/28', description: null, reference: 'r', soft: true, version: 2 });
      await rejects(ips.update(a.id, { subnet: '192.0.2.0/24' }), 'CONFLICT', /already assigned to Account/);
      expect(await ips.update(a.id, { subnet: '203.0.113.0/28' })).toMatchObject({ subnet: '203.0.113.0/28' });
      await ips.delete(a.id);
      await rejects(ips.get(a.id), 'NOT_FOUND', /IpAssignment \d+ does not exist/);
    });

    it('batches relation pages per parent', async () => {
      const owners = [alice, bob, 424242];
      const pages = await ips.pagesForOwners('Account', owners, { paginator: { page: 1, records_per_page: 1 }, sorter: [{ attribute: 'subnet', direction: 'DESC' }] });
      expect([...pages.keys()]).toEqual(owners);
      expect(pages.get(alice)!.entities.map((e) => e.subnet)).toEqual(['192.0.2.0/24']);
      expect(pages.get(alice)!.page_info).toEqual({ page: 1, records_per_page: 1, total_count: 1, total_pages: 1 });
      expect(pages.get(bob)!.entities.map((e) => e.subnet)).toEqual(['192.0.2.128/25']);
      expect(pages.get(424242)).toEqual({ entities: [], page_info: { page: 1, records_per_page: 1, total_count: 0, total_pages: 0 } });

      const logins = await radius.pagesForAccounts([alice, bob], { paginator: { page: 2, records_per_page: 1 } });
      expect(logins.get(alice)!.entities).toEqual([]);
      expect(logins.get(alice)!.page_info.total_count).toBe(1);
      const devices = await items.pagesForAccounts([alice, bob], {});
      expect(devices.get(bob)!.entities.map((d) => d.name)).toEqual(['CPE']);
    });

    it('searches subnets by containment', async () => {
      const inside = await ips.list({ search: [{ ip_address_fields: [{ attribute: 'subnet', search_value: '192.0.2.0/24', match: true }] }] });
      expect(inside.entities.map((e) => e.subnet)).toEqual(['192.0.2.0/24', '192.0.2.128/25']);
      const v6 = await ips.list({ search: [{ ip_address_fields: [{ attribute: 'subnet', search_value: '2001:db8::/32', match: true }] }] });
      expect(v6.entities.map((e) => e.subnet)).toEqual(['2001:db8::/48']);
      expect((await ips.list({ filters: { subnet: '198.51.100.7/32' } })).page_info.total_count).toBe(1);
    });

    it('deleting a device or a login releases its addresses', async () => {
      const login = await radius.create({ account_id: bob, username: 'temp@isp' });
      await ips.create({ subnet: '100.64.0.1', ipassignmentable_type: 'RadiusAccount', ipassignmentable_id: login.id, soft: true });
      await radius.delete(login.id);
      expect((await ips.list({ filters: { subnet: '100.64.0.1/32' } })).page_info.total_count).toBe(0);
      expect((await histories.list({})).page_info).toBeDefined();
    });
  });
});
