import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';

/**
 * A page of accounts with their ip_assignments, inventory_items, radius_accounts and
 * account_status costs a fixed number of SQL statements, whatever the page size: the
 * relation fields are batched per request by the DataLoaders in the context.
 */
describe.each(testEngines())('relation batching on %s', (engine) => {
  let t: TestApp;
  const statements: string[] = [];

  beforeAll(async () => {
    // Background work (attribution's change-log poll, ledger flushes and rollups) would add
    // statements of its own to the count; an hour's interval keeps it out of this test.
    const hour = String(3_600_000);
    t = await startTestApp(engine, { ATTRIBUTION_SYNC_INTERVAL_MS: hour, LEDGER_FLUSH_INTERVAL_MS: hour, LEDGER_ROLLUP_INTERVAL_MS: hour });
    const { dataSource } = t.app.services;
    // Count every statement the service sends, through TypeORM's logger hook.
    const logger = dataSource.logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (query, parameters, queryRunner) => {
      // Authentication (token lookup, cached for a while) is not part of the page's cost,
      // nor are background components' statements (appliance pollers, attribution sync).
      if (!/personal_access_tokens|preseem_settings|inline_devices|appliance_|attribution_|txid_snapshot_xmin/.test(query)) statements.push(query);
      return logQuery(query, parameters, queryRunner);
    };
    await dataSource.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    await dataSource.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
    await dataSource.query(
      `INSERT INTO accounts (name, account_status_id, account_type_id) SELECT 'Account ' || n, 1, 1 FROM generate_series(1, 120) n`,
    );
    await dataSource.query(`INSERT INTO inventory_items (name, inventoryitemable_id) SELECT 'CPE ' || id, id FROM accounts`);
    await dataSource.query(`INSERT INTO radius_accounts (account_id, username) SELECT id, 'user' || id FROM accounts`);
    await dataSource.query(
      `INSERT INTO ip_assignments (subnet, ipassignmentable_type, ipassignmentable_id)
       SELECT ('10.0.' || id || '.0/24')::cidr, 'Account', id FROM accounts
       UNION ALL SELECT ('10.1.' || id || '.1/32')::cidr, 'InventoryItem', id FROM inventory_items
       UNION ALL SELECT ('10.2.' || id || '.1/32')::cidr, 'RadiusAccount', id FROM radius_accounts`,
    );
  });
  afterAll(() => t.stop());

  const query = `query($size: Int!) {
    accounts(paginator: {page: 1, records_per_page: $size}) {
      entities {
        id name account_status { name }
        ip_assignments { entities { subnet } page_info { total_count } }
        inventory_items { entities { name ip_assignments { entities { subnet } } } page_info { total_count } }
        radius_accounts { entities { username ip_assignments { entities { subnet } } } page_info { total_count } }
      }
      page_info { total_count }
    }
  }`;

  async function statementsFor(size: number): Promise<number> {
    statements.length = 0;
    const response = await t.gql(query, { size });
    expect(response.errors).toBeUndefined();
    const accounts = response.data.accounts.entities;
    expect(accounts).toHaveLength(size);
    for (const account of accounts) {
      const n = Number(account.id);
      expect(account.account_status.name).toBe('Active');
      expect(account.ip_assignments.entities).toEqual([{ subnet: `10.0.${n}.0/24` }]);
      expect(account.inventory_items.entities).toEqual([{ name: `CPE ${n}`, ip_assignments: { entities: [{ subnet: `10.1.${n}.1/32` }] } }]);
      expect(account.radius_accounts.entities).toEqual([{ username: `user${n}`, ip_assignments: { entities: [{ subnet: `10.2.${n}.1/32` }] } }]);
    }
    return statements.length;
  }

  it('costs the same number of statements for 10 and 100 accounts', async () => {
    const ten = await statementsFor(10);
    const hundred = await statementsFor(100);
    // eslint-disable-next-line no-console
    console.log(`${engine}: SQL statements per account page: ${ten} for 10 accounts, ${hundred} for 100 accounts`);
    expect(hundred).toBe(ten);
    // accounts: rows + count; account_status: 1; each of the 5 connections (3 on Account, 2 nested): count + rows.
    expect(ten).toBe(13);
  });
});
