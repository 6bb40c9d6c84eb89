import { Pool, type PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs a hot statement as a named prepared statement on PostgreSQL: each connection parses and
 * plans it once, then only binds and executes it (PostgreSQL may keep a generic plan). For a
 * read answered in a fraction of a millisecond, or a batch upsert run many times a second,
 * parsing and planning every time cost as much as running. `name` must belong to this one SQL
 * text. With an EntityManager inside a transaction, the statement runs on that transaction's
 * connection. On the embedded engine (one in-process connection), a plain query.
 *
 * Rows come back as the driver gives them. On the embedded engine the fallback goes through
 * TypeORM, which answers a bare UPDATE/DELETE ... RETURNING with a [rows, count] pair: write
 * those as a CTE (`WITH x AS (UPDATE ... RETURNING ...) SELECT ...`) to get rows on both engines.
 * Statements sent on the pg client directly do not appear in TypeORM's query log.
 */
export async function preparedQuery<T>(db: DataSource | EntityManager, name: string, sql: string, parameters: unknown[]): Promise<T[]> {
  const client = postgresClient(db);
  if (!client) return db.query(sql, parameters);
  const result = await client.query({ name, text: sql, values: parameters });
  return result.rows as T[];
}

/**
 * The pg connection a statement must run on: the transaction's, or the pool outside one. Null
 * sends it through TypeORM instead: always on PGlite; before a transaction's first statement (its
 * runner connects lazily); and once TypeORM has released a transaction's runner because its
 * connection failed, so that the statement fails (QueryRunnerAlreadyReleasedError, an outage)
 * rather than run on a pool connection outside the transaction and commit on its own.
 */
function postgresClient(db: DataSource | EntityManager): Pick<Pool, 'query'> | null {
  const dataSource = 'manager' in db ? db : db.connection;
  const pool = (dataSource.driver as { master?: unknown }).master;
  if (!(pool instanceof Pool)) return null;
  const runner = 'manager' in db ? undefined : db.queryRunner;
  if (!runner) return pool;
  if (runner.isReleased) return null;
  return (runner as { databaseConnection?: PoolClient }).databaseConnection ?? null;
}
