import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import type { RadiusServerType } from '../../src/db/entities/radius-server.entity';
import type { CreateRadiusServerInput } from '../../src/radius/radius-server.service';
import { createScratchDatabase } from './database';
import { applyRadacctSchema } from './freeradius';
import { createMariadbScratchDatabase } from './mariadb';

/**
 * The radacct engines a test can run against: MariaDB (this machine's, always) and PostgreSQL
 * when TEST_DATABASE_URL points at a server.
 */
export function radacctTypes(): RadiusServerType[] {
  return process.env.TEST_DATABASE_URL ? ['FREERADIUS_MYSQL', 'FREERADIUS_POSTGRESQL'] : ['FREERADIUS_MYSQL'];
}

export interface RadacctDatabase {
  type: RadiusServerType;
  /** For FreeRADIUS (`FreeRadius({ databaseUrl })`) and the test's own reads. */
  url: string;
  /** createRadiusServer's input for this database (name and collect_bandwidth to add). */
  server: Pick<CreateRadiusServerInput, 'type' | 'ip_address' | 'radius_server_credentials'>;
  drop(): Promise<void>;
}

/** A scratch database of that engine with FreeRADIUS's stock schema applied (unless `schema: false`). */
export async function createRadacctDatabase(type: RadiusServerType, { schema = true } = {}): Promise<RadacctDatabase> {
  const scratch =
    type === 'FREERADIUS_MYSQL' ? await createMariadbScratchDatabase('radacct') : await createScratchDatabase(process.env.TEST_DATABASE_URL!, 'radacct');
  if (schema) await applyRadacctSchema(scratch.url);
  return { type, url: scratch.url, server: radiusServerFor(type, scratch.url), drop: scratch.drop };
}

/** createRadiusServer's type, address and credentials for a database URL (a host name must be localhost). */
export function radiusServerFor(type: RadiusServerType, databaseUrl: string): RadacctDatabase['server'] {
  const url = new URL(databaseUrl);
  const engineDefaults = type === 'FREERADIUS_MYSQL' ? { user: 'root', port: '3306' } : { user: 'postgres', port: '5432' };
  return {
    type,
    ip_address: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[(.*)\]$/, '$1'),
    radius_server_credentials: [
      { credential: `${type}_DATABASE_NAME`, value: url.pathname.slice(1) },
      { credential: `${type}_DATABASE_USERNAME`, value: decodeURIComponent(url.username) || engineDefaults.user },
      { credential: `${type}_DATABASE_PASSWORD`, value: decodeURIComponent(url.password) },
      { credential: `${type}_DATABASE_PORT`, value: url.port || engineDefaults.port },
    ],
  };
}

/** Runs one statement on a radacct database, as FreeRADIUS would (e.g. what a NAS with a broken counter makes it store). */
export async function radacctQuery(db: RadacctDatabase, sql: string): Promise<void> {
  if (db.type === 'FREERADIUS_MYSQL') {
    const connection = await createConnection(db.url);
    try {
      await connection.query(sql);
    } finally {
      await connection.end();
    }
    return;
  }
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
