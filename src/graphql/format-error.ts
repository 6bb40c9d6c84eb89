import { GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { QueryFailedError } from 'typeorm';
import { isOutage } from '../db/sql-errors';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import type { GraphQLContext } from './context';

/**
 * The one place errors become GraphQL errors. Domain errors keep their code and message;
 * known database refusals get a code a client can act on; a database outage says so (the
 * client should retry: a createDataUsages batch sent again counts nothing twice); everything
 * else is masked (no stack trace or SQL reaches a client). Outages and the rest are logged with
 * the request id by `errorLoggingPlugin`.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return withCode(formatted, original.code, original.message, original.details);
  const databaseError = describeDatabaseError(original);
  if (databaseError) return withCode(formatted, databaseError.code, databaseError.message);
  if (isOutage(original)) {
    return { message: UNAVAILABLE_MESSAGE, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR', reason: 'DATABASE_UNAVAILABLE' } };
  }

  const code = formatted.extensions?.code as string | undefined;
  if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') return formatted;
  if (code && USER_ERROR_CODES.has(code)) {
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: 'BAD_USER_INPUT', reason: code } };
  }
  return { message: INTERNAL_MESSAGE, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

const INTERNAL_MESSAGE = 'Internal server error';
export const UNAVAILABLE_MESSAGE = 'The database is unavailable, try again';
/** Masked messages that get the request id appended, for the client to quote. */
const MASKED_MESSAGES = new Set([INTERNAL_MESSAGE, UNAVAILABLE_MESSAGE]);

/** Apollo's codes for requests the client got wrong; the contract calls them all BAD_USER_INPUT. */
const USER_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Logs what `formatError` masks, and tells the client which request id to quote. */
export function errorLoggingPlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const formatted = formatError(error.toJSON(), error);
            if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR') {
              logger.error({ err: unwrapResolverError(error), requestId: contextValue.requestId, path: error.path }, 'internal error');
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            if (error.extensions?.code === 'INTERNAL_SERVER_ERROR' && MASKED_MESSAGES.has(error.message)) {
              (error as { message: string }).message = `${error.message} (request ${contextValue.requestId})`;
            }
          }
        },
      };
    },
  };
}

function withCode(
  formatted: GraphQLFormattedError,
  code: string,
  message: string,
  details?: Record<string, unknown>,
): GraphQLFormattedError {
  return { message, locations: formatted.locations, path: formatted.path, extensions: { ...(details ?? {}), code } };
}

/** PostgreSQL SQLSTATEs that mean "the request was wrong", not "the server broke". */
function describeDatabaseError(error: unknown): { code: string; message: string } | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driverError = error.driverError as { code?: string; detail?: string; constraint?: string };
  const detail = driverError.detail ?? driverError.constraint ?? '';
  switch (driverError.code) {
    case '23505':
      return { code: 'CONFLICT', message: `Already exists: ${detail || 'a unique value is taken'}` };
    case '23503':
      return { code: 'CONFLICT', message: `Still referenced, or refers to a missing row: ${detail}`.trim() };
    case '23514':
    case '23502':
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
      return { code: 'BAD_USER_INPUT', message: `Invalid value${detail ? `: ${detail}` : ''}` };
    default:
      return null;
  }
}
