import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { types as pgliteTypes } from '@electric-sql/pglite';
import { DataSource, DataSourceOptions } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import { PGlitePool } from 'typeorm-pglite/dist/pglite-pool';
import type { Logger } from '../logger';
import { entities } from './entities';
import { ListenedClient } from './listened-client';
import { migrations } from './migrations';
import { QueryLogger } from './query-logger';

export interface DatabaseSettings {
  /** postgres:// URL: the production engine. Absent: the embedded PostgreSQL (PGlite). */
  url?: string;
  /** Where the embedded engine keeps its files; `memory://` keeps nothing (tests). */
  dataDir: string;
  logging?: boolean;
}

export type Engine = 'postgres' | 'pglite';

export function engineOf(settings: DatabaseSettings): Engine {
  return settings.url ? 'postgres' : 'pglite';
}

/**
 * One schema, two engines. Both go through TypeORM's postgres dialect, so every SQL
 * statement in this project runs unchanged on either.
 *
 * Numbers are normalized here, once: int8 and numeric come back as decimal strings
 * from both engines (pg does that by default; PGlite is told to), and callers turn them
 * into bigint where they need arithmetic.
 *
 * TypeORM logs through `logger` (query-logger.ts): never a statement's parameters.
 */
export function createDataSource(settings: DatabaseSettings, logger?: Logger): DataSource {
  const common = {
    type: 'postgres',
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    // Through the service's log, without statement parameters (query-logger.ts); silent without a logger (tests).
    logger: new QueryLogger(logger, settings.logging ?? false),
  } as const;

  if (settings.url) {
    return new DataSource({
      ...common,
      url: settings.url,
      poolSize: 10,
      applicationName: 'usage-meter',
      // Fail fast when the server is unreachable instead of hanging a request for minutes.
      connectTimeoutMS: 5000,
      extra: { idleTimeoutMillis: 30_000, Client: ListenedClient },
    } as DataSourceOptions);
  }

  const dataDir = settings.dataDir.startsWith('memory://')
    ? settings.dataDir
    : path.resolve(settings.dataDir, 'pglite');
  // PGlite creates its own folder but not the parents: `DATA_DIR=/var/lib/usage-meter` must just work.
  if (!dataDir.startsWith('memory://')) mkdirSync(path.dirname(dataDir), { recursive: true });
  new PGliteDriver({
    dataDir,
    parsers: {
      [pgliteTypes.INT8]: (value: string) => value,
      [pgliteTypes.NUMERIC]: (value: string) => value,
    },
  });
  return new DataSource({
    ...common,
    driver: { Pool: SerializedPGlitePool },
  } as DataSourceOptions);
}

/**
 * PGlite is a single connection. typeorm-pglite hands that one connection to every
 * caller at once, so two transactions would interleave inside one session. This pool
 * lends it to one caller at a time (a pool of size one), which is what TypeORM assumes
 * of a pool: a transaction holds its connection until it commits or rolls back.
 */
class SerializedPGlitePool extends PGlitePool {
  private tail: Promise<void> = Promise.resolve();

  override async connect(callback: Parameters<PGlitePool['connect']>[0]): Promise<void> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => turn);
    await previous;
    let released = false;
    const done = () => {
      if (!released) {
        released = true;
        release();
      }
    };
    await super.connect((err, client) => callback(err, client, done));
  }
}
