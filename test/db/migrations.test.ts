import { openTestDataSource, testEngines } from '../support/database';
import { TokenScopes1796400000000 } from '../../src/db/migrations/1796400000000-token-scopes';

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

describe.each(testEngines())('the TokenScopes migration on %s', (engine) => {
  it('makes the tokens made before scopes admin, and stores no later token without a scope', async () => {
    const { dataSource, close } = await openTestDataSource(engine);
    const migration = new TokenScopes1796400000000();
    const runner = dataSource.createQueryRunner();
    try {
      // Back to the table as it was before scopes, with two tokens in it.
      await migration.down(runner);
      await runner.query(`INSERT INTO personal_access_tokens (name, token_hash, hint) VALUES ('old', 'h1', 'aaaa'), ('older', 'h2', 'bbbb')`);
      await migration.up(runner);
      expect(await runner.query(`SELECT name, scope FROM personal_access_tokens ORDER BY name`)).toEqual([
        { name: 'old', scope: 'admin' },
        { name: 'older', scope: 'admin' },
      ]);
      await expect(runner.query(`INSERT INTO personal_access_tokens (name, token_hash, hint) VALUES ('new', 'h3', 'cccc')`)).rejects.toThrow(/scope/);
      await expect(runner.query(`INSERT INTO personal_access_tokens (name, token_hash, hint, scope) VALUES ('new', 'h3', 'cccc', 'root')`)).rejects.toThrow(
        /personal_access_tokens_scope/,
      );
    } finally {
      await runner.release();
      await close();
    }
  });
});
