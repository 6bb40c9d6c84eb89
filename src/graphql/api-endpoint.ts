import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, HTTPGraphQLResponse } from '@apollo/server';
import bodyParser from 'body-parser';
import type { Logger } from '../logger';
import type { Services } from '../services';
import { authenticate } from '../auth/bearer';
import { isOutage } from '../db/sql-errors';
import { createContext, GraphQLContext } from './context';
import { UNAVAILABLE_MESSAGE } from './format-error';

/** Where the API answers. */
const API_PATH = '/api/graphql';

/** JSON bodies up to this size: a batch of 10 000 usage samples fits comfortably. */
const MAX_BODY = '16mb';

/** `/api/graphql`, with or without a trailing slash or a query string, in any case (as Express routes). */
export function isApiPath(url: string): boolean {
  const query = url.indexOf('?');
  const path = (query < 0 ? url : url.slice(0, query)).toLowerCase();
  return path === API_PATH || path === `${API_PATH}/`;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * `/api/graphql` straight on node:http, through Apollo's integration API
 * (`executeHTTPGraphQLRequest`, what every Apollo integration wraps). Express in front of it cost
 * 0.2 ms of CPU per request: 0.51 against 0.31 ms per data_usage_totals read in
 * `BENCH_PARTS=reads npm run bench:ledger`, on the one thread every request shares. The body is
 * still read by body-parser's JSON parser (the one `express.json()` is): size limit, charsets,
 * gzip and its errors are unchanged.
 */
export function apiEndpoint(apollo: ApolloServer<GraphQLContext>, services: Services): Handler {
  const readJson = bodyParser.json({ limit: MAX_BODY });
  /** The parsed JSON body; undefined when the request has none, or another content type. */
  const parseBody = (req: IncomingMessage, res: ServerResponse) =>
    new Promise<unknown>((resolve, reject) => {
      readJson(req, res, (error?: unknown) => (error ? reject(error) : resolve((req as { body?: unknown }).body)));
    });

  async function serve(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    // The token first: a refused request's body is never read.
    const auth = await authenticate(services.tokens, req.headers.authorization);
    if (typeof auth === 'string') return sendJson(res, 401, graphQLError(auth, 'UNAUTHENTICATED'));
    const body = await parseBody(req, res);
    const answer = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method!.toUpperCase(), headers: headerMapOf(req), search: searchOf(req.url!), body },
      context: async () => createContext(services, requestId, auth),
    });
    await send(res, answer);
  }

  return (req, res) => {
    const requestId = headerValue(req.headers['x-request-id']) ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    serve(req, res, requestId).catch((error: Error & { status?: number }) => {
      const { status, body } = errorAnswer(error, requestId, services.logger);
      if (res.headersSent) res.destroy();
      else sendJson(res, status, body);
    });
  };
}

/**
 * Errors outside GraphQL (bad JSON, too large a body, a database outage during authentication)
 * as GraphQL-shaped JSON: the client's fault with its own status, ours as 503 and logged; an
 * outage in the same words and `reason` as inside GraphQL, so that a client retries either.
 */
export function errorAnswer(error: Error & { status?: number }, requestId: string | undefined, logger: Logger) {
  const quoted = requestId ? ` (request ${requestId})` : '';
  if (error.status === 413) return { status: 413, body: graphQLError(`Request body larger than ${MAX_BODY}`, 'BAD_USER_INPUT') };
  if (error.status && error.status < 500) return { status: error.status, body: graphQLError(`Bad request: ${error.message}`, 'BAD_USER_INPUT') };
  logger.error({ err: error, requestId }, 'request failed');
  if (isOutage(error)) return { status: 503, body: graphQLError(`${UNAVAILABLE_MESSAGE}${quoted}`, 'INTERNAL_SERVER_ERROR', 'DATABASE_UNAVAILABLE') };
  return { status: 503, body: graphQLError(`Service unavailable, try again${quoted}`, 'INTERNAL_SERVER_ERROR') };
}

function graphQLError(message: string, code: string, reason?: string) {
  return { errors: [{ message, extensions: reason ? { code, reason } : { code } }] };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function send(res: ServerResponse, answer: HTTPGraphQLResponse): Promise<void> {
  res.statusCode = answer.status ?? 200;
  for (const [name, value] of answer.headers) res.setHeader(name, value);
  if (answer.body.kind === 'complete') return void res.end(answer.body.string);
  for await (const chunk of answer.body.asyncIterator) res.write(chunk);
  res.end();
}

function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

function searchOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? '' : url.slice(query);
}

/** A client's request id, if it is a sane one to echo and log. */
function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text && /^[\w.-]{1,100}$/.test(text) ? text : undefined;
}
