import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, DatabaseSettings, Engine } from '../../src/db/data-source';
import { hasPeers } from './peers';

/**
 * The engines every integration suite runs against: the embedded PostgreSQL always,
 * and a real PostgreSQL server when TEST_DATABASE_URL points at one (CI sets it; without it
 * the run's summary says so, and REQUIRE_PEERS=1 fails: see peers.ts).
 */
export function testEngines(): Engine[] {
  return hasPeers('postgresql') ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  engine: Engine;
  settings: DatabaseSettings;
  /** Drops the database (PostgreSQL) or forgets it (PGlite in memory). */
  drop(): Promise<void>;
}

/**
 * A new, empty database for one test file: a fresh PostgreSQL database named
 * `um_test_<random>` on the TEST_DATABASE_URL server, or an in-memory PGlite.
 */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'pglite') {
    return { engine, settings: { dataDir: 'memory://' }, drop: async () => {} };
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const scratch = await createScratchDatabase(serverUrl, 'um_test');
  return { engine, settings: { url: scratch.url, dataDir: 'unused' }, drop: scratch.drop };
}

/**
 * A new, empty database `<prefix>_<random>` on the PostgreSQL server `serverUrl` points at (any
 * database of it; query parameters such as `?host=/var/run/postgresql` are kept in the result).
 */
export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/** A migrated DataSource on a fresh database; `close()` destroys both. */
export async function openTestDataSource(engine: Engine): Promise<{ dataSource: DataSource; db: TestDatabase; close(): Promise<void> }> {
  const db = await createTestDatabase(engine);
  const dataSource = createDataSource(db.settings);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return {
    dataSource,
    db,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
    },
  };
}

async function withAdmin<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
