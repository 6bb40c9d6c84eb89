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

  it('answers our faults (a database outage during authentication) with 503 and the request id, and logs them', () => {
    const { logger, errors } = recordingLogger();
    const outage = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const answer = errorAnswer(outage, 'mw-batch-7', logger);
    expect(answer).toEqual({
      status: 503,
      body: { errors: [{ message: 'Service unavailable, try again (request mw-batch-7)', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
    });
    expect(JSON.stringify(answer)).not.toContain('ECONNREFUSED');
    expect(errors).toEqual([[{ err: outage, requestId: 'mw-batch-7' }, 'request failed']]);
    expect(errorAnswer(Object.assign(new Error('x'), { status: 500 }), undefined, logger).body.errors[0].message).toBe('Service unavailable, try again');
  });
});
