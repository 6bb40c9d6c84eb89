import type { RequestHandler } from 'express';
import { presentsSecret } from '../auth/bearer';

/**
 * `/metrics` behind METRICS_TOKEN (`Authorization: Bearer <METRICS_TOKEN>`, what Prometheus sends
 * with `authorization: { credentials: ... }`); without it, open. The API's tokens do not open it,
 * and it opens nothing else: a scraper holds only what it needs.
 */
export function metricsAccess(metricsToken: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (metricsToken === undefined || presentsSecret(req.headers.authorization, metricsToken)) return next();
    const message = 'Missing or wrong token: send "Authorization: Bearer <METRICS_TOKEN>"';
    res.status(401).set('www-authenticate', 'Bearer realm="metrics"').json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
  };
}
