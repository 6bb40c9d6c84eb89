import { openTestDataSource, testEngines } from '../support/database';

describe.each(testEngines())('migrations on %s', (engine) => {
  it('create exactly the schema the entities describe', async () => {
    const { dataSource, close } = await openTestDataSource(engine);
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('return int8 as exact decimal strings', async () => {
    const { dataSource, close } = await openTestDataSource(engine);
    try {
      const [row] = await dataSource.query(`SELECT 9223372036854775807::int8 AS max, 12.5::numeric AS n`);
      expect(row).toEqual({ max: '9223372036854775807', n: '12.5' });
    } finally {
      await close();
    }
  });
});
