import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';

/**
 * The MariaDB (or MySQL) server the radacct tests write to: this machine's, root with an empty
 * password (`.ci/run` starts it), unless TEST_MARIADB_URL names another (mysql://user:pass@host:port).
 */
export const MARIADB_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';

export interface MariadbScratchDatabase {
  name: string;
  /** mysql://user[:password]@host:port/name */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  drop(): Promise<void>;
}

/** A new, empty database `<prefix>_<random>` on the MariaDB server; `drop()` removes it. */
export async function createMariadbScratchDatabase(prefix: string, serverUrl = MARIADB_URL): Promise<MariadbScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const server = new URL(serverUrl);
  const settings = {
    host: server.hostname,
    port: Number(server.port || 3306),
    user: decodeURIComponent(server.username || 'root'),
    password: decodeURIComponent(server.password),
  };
  const admin = async (sql: string) => {
    const connection = await createConnection(settings);
    try {
      await connection.query(sql);
    } finally {
      await connection.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), ...settings, drop: () => admin(`DROP DATABASE IF EXISTS ${name}`) };
}
