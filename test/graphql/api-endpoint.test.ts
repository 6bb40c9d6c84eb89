import { errorAnswer } from '../../src/graphql/api-endpoint';
import type { Logger } from '../../src/logger';

/** A logger that keeps what was logged at error level. */
function recordingLogger(): { logger: Logger; errors: unknown[][] } {
  const errors: unknown[][] = [];
  return { logger: { error: (...args: unknown[]) => errors.push(args) } as unknown as Logger, errors };
}

describe('errorAnswer: errors outside GraphQL as GraphQL-shaped JSON', () => {
  it("answers the client's own faults with their status, unlogged", () => {
    const { logger, errors } = recordingLogger();
    const tooLarge = errorAnswer(Object.assign(new Error('request entity too large'), { status: 413 }), 'r1', logger);
    expect(tooLarge).toEqual({ status: 413, body: { errors: [{ message: 'Request body larger than 16mb', extensions: { code: 'BAD_USER_INPUT' } }] } });
    const badJson = errorAnswer(Object.assign(new Error('Unexpected end of JSON input'), { status: 400 }), 'r2', logger);
    expect(badJson.body.errors[0].message).toBe('Bad request: Unexpected end of JSON input');
    expect(errors).toEqual([]);
  });

  it('answers a database outage during authentication as GraphQL answers one, with 503 and the request id, and logs it', () => {
    const { logger, errors } = recordingLogger();
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const answer = errorAnswer(outage, 'mw-batch-7', logger);
    expect(answer).toEqual({
      status: 503,
      body: {
        errors: [
          {
            message: 'The database is unavailable, try again (request mw-batch-7)',
            extensions: { code: 'INTERNAL_SERVER_ERROR', reason: 'DATABASE_UNAVAILABLE' },
          },
        ],
      },
    });
    expect(JSON.stringify(answer)).not.toContain('ECONNREFUSED');
    expect(errors).toEqual([[{ err: outage, requestId: 'mw-batch-7' }, 'request failed']]);
  });

  it('answers any other fault of ours with 503, masked', () => {
    const { logger, errors } = recordingLogger();
    const answer = errorAnswer(new TypeError("Cannot read properties of undefined (reading 'id')"), undefined, logger);
    expect(answer).toEqual({ status: 503, body: { errors: [{ message: 'Service unavailable, try again', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] } });
    expect(errors).toHaveLength(1);
  });
});
