import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { formatError } from '../../src/graphql/format-error';
import { notFound } from '../../src/errors';

/** What graphql-js hands formatError for an error thrown in a resolver at `path`. */
function fromResolver(original: Error) {
  const error = new GraphQLError(original.message, { path: ['createDataUsages'], originalError: original });
  return formatError(error.toJSON(), error);
}

describe('formatError', () => {
  it('says a database outage is one, with no driver text, so that a client retries', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(fromResolver(refused)).toEqual({
      message: 'The database is unavailable, try again',
      path: ['createDataUsages'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', reason: 'DATABASE_UNAVAILABLE' },
    });
    const shutdown = new QueryFailedError('SELECT 1', [], Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    expect(fromResolver(shutdown).extensions?.reason).toBe('DATABASE_UNAVAILABLE');
  });

  it('masks any other failure, and keeps what a client can act on', () => {
    const bug = fromResolver(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(bug).toEqual({ message: 'Internal server error', path: ['createDataUsages'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    // A bug that merely mentions a connection is not an outage.
    expect(fromResolver(new TypeError("Cannot read properties of null (reading 'connection')")).message).toBe('Internal server error');
    const taken = new QueryFailedError('INSERT', [], Object.assign(new Error('duplicate key'), { code: '23505', detail: 'Key (username)=(alice) already exists.' }));
    expect(fromResolver(taken)).toMatchObject({ message: 'Already exists: Key (username)=(alice) already exists.', extensions: { code: 'CONFLICT' } });
    expect(fromResolver(notFound('Account', 7))).toMatchObject({ message: 'Account 7 does not exist', extensions: { code: 'NOT_FOUND' } });
  });
});
