import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import type { CorsOrigins } from '../config';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * What a page on another origin may send to the API and read from its answers: the token, JSON, a
 * request id to correlate with the service's log, and the request id answered. Browsers may keep a
 * preflight's answer for `maxAge` seconds (Chromium caps it at 2 hours).
 */
const API_CORS = {
  methods: ['GET', 'POST'],
  allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
  exposedHeaders: ['x-request-id'],
  maxAge: 600,
};

/**
 * Cross-origin access to `handler` for the origins in CORS_ORIGINS, through the `cors` package. A
 * preflight (`OPTIONS` from an allowed origin) is answered here, before the handler asks for a token:
 * browsers never send credentials on a preflight. A request from an origin not listed, or with no
 * `Origin`, gets no `Access-Control-*` header at all and goes on as if CORS were off (so a browser
 * refuses to hand the answer to the page). `origins` absent: `handler` as it is.
 */
export function withCors(origins: CorsOrigins | undefined, handler: Handler): Handler {
  if (!origins) return handler;
  if (origins === '*') {
    const anyOrigin = cors({ ...API_CORS, origin: '*' });
    return (req, res) => anyOrigin(req, res, () => handler(req, res));
  }
  const allowed = new Set(origins);
  // A function, not the list itself: given a list, `cors` still answers a refused origin's preflight
  // (with the allowed methods and headers); an origin callback answering false makes it step aside.
  const listed = cors({
    ...API_CORS,
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
  });
  return (req, res) => {
    // The answer depends on Origin whichever way it goes, so a cache must not hand one origin's to another.
    res.setHeader('vary', 'Origin');
    listed(req, res, () => handler(req, res));
  };
}
