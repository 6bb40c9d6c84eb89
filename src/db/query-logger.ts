import type { Logger as TypeOrmLogger } from 'typeorm';
import { clipSql, Logger } from '../logger';

/**
 * TypeORM's messages through the service's JSON log, never with a statement's parameters. TypeORM's
 * own loggers print every failed statement with all of them: a failing ledger flush sends 20 000
 * rows' arrays, about 1.5 MB, once a second. A failed statement's error reaches its caller, which
 * logs it once with what it was doing (the err serializer in logger.ts drops the parameters there
 * too), so here it is only a debug line. `logQueries` (DatabaseSettings.logging) logs every
 * statement at debug.
 */
export class QueryLogger implements TypeOrmLogger {
  constructor(
    private readonly logger?: Logger,
    private readonly logQueries = false,
  ) {}

  logQuery(query: string): void {
    if (this.logQueries) this.logger?.debug({ sql: clipSql(query) }, 'query');
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger?.debug({ sql: clipSql(query), error: error instanceof Error ? error.message : error }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger?.warn({ ms: time, sql: clipSql(query) }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger?.debug({ schema: message }, 'schema');
  }

  logMigration(message: string): void {
    this.logger?.info({ migration: message }, 'migration');
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger?.warn({ typeorm: message }, 'database warning');
    else this.logger?.debug({ typeorm: message }, 'database');
  }
}
