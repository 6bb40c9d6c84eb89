import pino, { DestinationStream, Logger } from 'pino';

export type { Logger };

/** JSON logs to stdout (or `destination`); secrets are redacted wherever they appear in a logged object. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: {
      paths: ['*.password', '*.secret', '*.api_key', '*.token', 'req.headers.authorization', '*.credentials'],
      censor: '[redacted]',
    },
    serializers: { err: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Long enough to tell statements apart; a 20 000-row upsert's SQL is about 800 characters. */
const MAX_SQL = 2000;

/** A statement's text as logged: whole up to MAX_SQL characters. */
export const clipSql = (sql: string): string => (sql.length > MAX_SQL ? `${sql.slice(0, MAX_SQL)}… (${sql.length} characters)` : sql);

/**
 * pino's error serializer, without what a failed statement carries that no reader needs: TypeORM's
 * QueryFailedError keeps the statement's parameters (a ledger flush's are 20 000 rows' arrays, about
 * 1.5 MB) as an enumerable property, so a logged `err` would print them all. The statement's text
 * stays (clipped), with the database's message, code, detail and constraint.
 */
export function serializeError(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error) as unknown;
  if (serialized === null || typeof serialized !== 'object') return serialized;
  const out = serialized as Record<string, unknown>;
  delete out.parameters;
  if (typeof out.query === 'string') out.query = clipSql(out.query);
  const driverError = out.driverError;
  if (driverError && typeof driverError === 'object') delete (driverError as Record<string, unknown>).parameters;
  return out;
}
