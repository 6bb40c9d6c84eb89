import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/** PostgreSQL SQLSTATE of a failed statement (same on pg and PGlite, wrapped by TypeORM or not), if any. */
export function sqlState(error: unknown): string | undefined {
  if (error instanceof QueryFailedError) return (error.driverError as { code?: string } | undefined)?.code;
  return (error as { code?: string } | undefined)?.code;
}

export const UNIQUE_VIOLATION = '23505';

/** Deadlock (40P01) or serialization failure (40001): the same transaction succeeds when run again. */
export function isTransientError(err: unknown): boolean {
  const code = sqlState(err);
  return code === '40P01' || code === '40001';
}

/** Runs a whole transaction again (up to `attempts` times in all) when it failed transiently. */
export async function retryTransient<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts || !isTransientError(err)) throw err;
    }
  }
}

const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300']);

/**
 * What the drivers say, without a code, when a connection is lost or cannot be had (pg: "Connection
 * terminated unexpectedly"; pg-pool: "timeout exceeded when trying to connect"). Whole phrases,
 * so that a programming error that merely mentions a connection is not taken for an outage.
 */
const OUTAGE_MESSAGE = /connection terminated|terminating connection|timeout exceeded when trying to connect|connection (?:error|refused|timeout)|\bECONN[A-Z]+\b/i;

/** The database is unreachable or refusing connections: not the fault of what was being written. */
export function isOutage(err: unknown): boolean {
  // TypeORM releases a transaction's query runner as soon as its connection fails: the next
  // statement, often the COMMIT, then meets one of these instead of the connection's own error.
  if (err instanceof QueryRunnerAlreadyReleasedError || err instanceof QueryRunnerProviderAlreadyReleasedError) return true;
  const code = sqlState(err);
  if (code && OUTAGE_CODES.has(code)) return true;
  return OUTAGE_MESSAGE.test((err as { message?: string } | undefined)?.message ?? '');
}

/**
 * The database refused the data of what was written, not the act of writing: a data exception
 * (SQLSTATE class 22: a number or time out of range, text it cannot store) or an integrity
 * constraint (class 23); or the writer's own refusal of a value (RangeError). Writing the rows
 * apart finds the ones at fault. Anything else (an outage, a deadlock, a timeout, a full disk, a
 * missing table) is no row's fault: every part of the batch would fail alike.
 */
export function isRowFault(err: unknown): boolean {
  if (err instanceof RangeError) return true;
  const code = sqlState(err);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}
