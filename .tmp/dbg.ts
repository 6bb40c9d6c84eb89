
import { createTestDatabase } from '/work/wt/attribution/test/support/database';
import { createDataSource } from '/work/wt/attribution/src/db/data-source';
(async () => {
  process.env.TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
  const db = await createTestDatabase('postgres');
  const ds = createDataSource(db.settings); await ds.initialize(); await ds.runMigrations();
  await ds.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
  await ds.query(`INSERT INTO account_types (name) VALUES ('R')`);
  await ds.query(`INSERT INTO accounts (name, account_status_id, account_type_id) VALUES ('a',1,1)`);
  const texts = ['2001:db8:1234:5678:0:0:0:0/64', '2001:db8:abcd:0:0:0:0:0/48', '10.1.2.0/24'];
  await ds.query(`INSERT INTO ip_assignments (subnet, ipassignmentable_type, ipassignmentable_id) SELECT * FROM unnest($1::cidr[], $2::text[], $3::bigint[])`, [texts, texts.map(() => 'Account'), texts.map(() => 1)]);
  console.log(await ds.query(`SELECT subnet::text, masklen(subnet) FROM ip_assignment_histories`));
  await ds.destroy(); await db.drop();
})();
