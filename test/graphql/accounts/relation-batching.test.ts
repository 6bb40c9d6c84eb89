import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';
import { recordRequestStatements, RequestStatements } from '../../support/request-statements';

/**
 * A page of accounts with their ip_assignments, inventory_items, radius_accounts and
 * account_status costs a fixed number of SQL statements, whatever the page size: the
 * relation fields are batched per request by the DataLoaders in the context.
 */
describe.each(testEngines())('relation batching on %s', (engine) => {
  let t: TestApp;
  let requestStatements: RequestStatements;

  beforeAll(async () => {
    t = await startTestApp(engine);
    const { dataSource, tokens } = t.app.services;
    // Only what the GraphQL requests cause counts: background work runs outside them.
    requestStatements = recordRequestStatements(t.app);
    // The token lookup (and its last_used_at stamp) is authentication, not the page: it runs in
    // the middleware before the query is parsed, at most once per token every 10 s, so whether a
    // request pays for it depends on the clock, never on the page size.
    const verify = tokens.verify.bind(tokens);
    tokens.verify = (token) => requestStatements.uncounted(() => verify(token));
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
  afterAll(async () => {
    requestStatements?.stop();
    await t.stop();
  });

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
    requestStatements.take();
    const response = await t.gql(query, { size });
    const statements = requestStatements.take();
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
