import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { NextFunction, Request, Response } from 'express';
import type { Services } from '../services';
import { isWellFormedToken } from '../auth/token.service';
import { createContext, GraphQLContext } from './context';
import { errorLoggingPlugin, formatError } from './format-error';
import { graphiqlRouter } from './graphiql';
import { buildGraphQLSchema } from './schema';

/** JSON bodies up to this size: a batch of 10 000 usage samples fits comfortably. */
const MAX_BODY = '16mb';

export interface ReadinessCheck {
  /** Null when ready, otherwise why not. */
  (): Promise<string | null>;
}

/**
 * The HTTP front door: `POST /api/graphql` (token required), `GET /graphiql`, `/healthz`,
 * `/readyz`, `/metrics`. Inert until `start()`; `stop()` drains in-flight requests.
 */
export class HttpServer {
  private readonly httpServer = http.createServer();
  private apollo?: ApolloServer<GraphQLContext>;

  constructor(
    private readonly services: Services,
    private readonly readiness: ReadinessCheck,
  ) {}

  get port(): number {
    return (this.httpServer.address() as AddressInfo).port;
  }

  async start(): Promise<void> {
    const { services } = this;
    this.apollo = new ApolloServer<GraphQLContext>({
      schema: await buildGraphQLSchema(),
      formatError,
      introspection: true,
      includeStacktraceInErrorResponses: false,
      // main.ts owns SIGTERM/SIGINT: it stops the components in order (input first, the usage
      // writer's flush and the database last). Apollo's own handler, on by default outside
      // NODE_ENV=test, raced it: the process then waited for the 30 s stop deadline, exited 1, and
      // never flushed the usage writer or closed the database.
      stopOnTerminationSignals: false,
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer: this.httpServer }),
        ApolloServerPluginLandingPageDisabled(),
        // Apollo installs cache control by default: a willResolveField hook on every resolved field
        // (plus a Cache-Control header computation) for hints this API never sets. Off: less work per field.
        ApolloServerPluginCacheControlDisabled(),
        errorLoggingPlugin(services.logger),
      ],
    });
    await this.apollo.start();

    const app = express();
    app.disable('x-powered-by');
    app.get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    });
    app.get('/readyz', async (_req, res) => {
      const problem = await this.readiness().catch((error: Error) => error.message);
      res.status(problem ? 503 : 200).json(problem ? { status: 'not ready', reason: problem } : { status: 'ready' });
    });
    app.get('/metrics', async (_req, res) => {
      res.type(services.metrics.contentType).send(await services.metrics.metrics());
    });
    app.use(graphiqlRouter());
    // The API's own sub-app: without ETags, which Express would hash every answer for and which
    // mean nothing on POSTed GraphQL (GraphiQL's assets keep theirs).
    const api = express();
    api.set('etag', false);
    api.use(
      express.json({ limit: MAX_BODY }),
      this.authenticate,
      expressMiddleware(this.apollo, {
        context: async ({ res }) => createContext(services, res.locals.requestId, res.locals.tokenId),
      }),
    );
    app.use('/api/graphql', api);
    app.use(jsonErrors(services));
    this.httpServer.on('request', app);

    const { port, host } = services.config.http;
    await new Promise<void>((resolve, reject) => {
      this.httpServer.once('error', reject);
      this.httpServer.listen(port, host, () => resolve());
    });
  }

  async stop(): Promise<void> {
    // Apollo's drain plugin closes the listener and waits for in-flight requests.
    if (this.apollo) await this.apollo.stop();
    else if (this.httpServer.listening) await new Promise((resolve) => this.httpServer.close(resolve));
  }

  /** Every GraphQL request needs a valid token: HTTP 401 + UNAUTHENTICATED otherwise. */
  private readonly authenticate = async (req: Request, res: Response, next: NextFunction) => {
    const requestId = headerValue(req.headers['x-request-id']) ?? randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!match) return unauthenticated(res, 'Missing token: send the header "Authorization: Bearer <personal access token>"');
    if (!isWellFormedToken(match[1])) return unauthenticated(res, 'Malformed token');
    try {
      const tokenId = await this.services.tokens.verify(match[1]);
      if (tokenId === null) return unauthenticated(res, 'Unknown or revoked token');
      res.locals.tokenId = tokenId;
      next();
    } catch (error) {
      next(error);
    }
  };
}

function unauthenticated(res: Response, message: string) {
  res.status(401).json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text && /^[\w.-]{1,100}$/.test(text) ? text : undefined;
}

/** Errors outside GraphQL (bad JSON, too large a body, a database outage during auth) as GraphQL-shaped JSON. */
function jsonErrors(services: Services) {
  return (error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = error.status && error.status < 500 ? error.status : 503;
    if (status >= 500) services.logger.error({ err: error, requestId: res.locals.requestId }, 'request failed');
    const message =
      status === 413
        ? `Request body larger than ${MAX_BODY}`
        : status < 500
          ? `Bad request: ${error.message}`
          : `Service unavailable, try again (request ${res.locals.requestId})`;
    res.status(status).json({ errors: [{ message, extensions: { code: status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR' } }] });
  };
}
