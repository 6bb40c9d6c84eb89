import { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs a hot read as a named prepared statement on PostgreSQL: each pooled connection parses
 * and plans it once, then only binds and executes it (PostgreSQL may keep a generic plan). On a
 * read answered in a fraction of a millisecond, parsing and planning were as costly as running.
 * `name` must belong to this one SQL text. Outside a transaction only; on the embedded engine,
 * a plain query.
 */
export async function preparedQuery<T>(dataSource: DataSource, name: string, sql: string, parameters: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as { master?: unknown }).master;
  if (!(pool instanceof Pool)) return dataSource.query(sql, parameters);
  const result = await pool.query({ name, text: sql, values: parameters });
  return result.rows as T[];
}
