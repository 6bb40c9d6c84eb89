import { Client } from 'pg';
import { preparedQuery } from '../../src/db/prepared-query';
import { isOutage } from '../../src/db/sql-errors';
import { openTestDataSource } from '../support/database';
import { describeWithPeers } from '../support/peers';

/**
 * A transaction whose connection the server ends (a restart, a failover) while the transaction
 * is between statements: TypeORM releases its query runner. The next prepared statement must fail
 * with it, not run on another pool connection outside the transaction and commit on its own (a
 * createDataUsages call did exactly that, then failed at COMMIT; the middleware's retry counted
 * its usage a second time). Needs a PostgreSQL server.
 */
describeWithPeers('postgresql')('preparedQuery in a transaction whose connection was lost', () => {
  it('fails, and writes nothing outside the transaction', async () => {
    const { dataSource, close } = await openTestDataSource('postgres');
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      await dataSource.query(`CREATE TABLE marks (note text)`);
      const outcome = dataSource.transaction(async (manager) => {
        await preparedQuery(manager, 'mark-first', `INSERT INTO marks VALUES ('first')`, []);
        const [{ pid }] = await manager.query(`SELECT pg_backend_pid() AS pid`);
        await admin.query(`SELECT pg_terminate_backend($1)`, [pid]);
        // TypeORM notices the lost connection and releases the runner.
        for (let i = 0; i < 100 && !manager.queryRunner!.isReleased; i++) await new Promise((resolve) => setTimeout(resolve, 10));
        expect(manager.queryRunner!.isReleased).toBe(true);
        await preparedQuery(manager, 'mark-second', `INSERT INTO marks VALUES ('second')`, []);
      });
      // TypeORM's "query runner already released": what a client is told to retry.
      const error = await outcome.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(isOutage(error)).toBe(true);
      expect(await dataSource.query(`SELECT note FROM marks`)).toEqual([]);
    } finally {
      await admin.end();
      await close();
    }
  });
});
