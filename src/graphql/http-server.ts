import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express, { NextFunction, Request, Response } from 'express';
import type { Services } from '../services';
import { apiEndpoint, errorAnswer, isApiPath } from './api-endpoint';
import type { GraphQLContext } from './context';
import { withCors } from './cors-policy';
import { errorLoggingPlugin, formatError } from './format-error';
import { graphiqlRouter } from './graphiql';
import { metricsAccess } from './metrics-access';
import { buildGraphQLSchema } from './schema';

export interface ReadinessCheck {
  /** Null when ready, otherwise why not. */
  (): Promise<string | null>;
}

/**
 * The HTTP front door: `POST /api/graphql` (token required; see api-endpoint.ts), and through
 * Express `GET /graphiql`, `/healthz`, `/readyz`, `/metrics`. Inert until `start()`; `stop()`
 * drains in-flight requests.
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
    app.get('/metrics', metricsAccess(services.config.auth.metricsToken), async (_req, res) => {
      res.type(services.metrics.contentType).send(await services.metrics.metrics());
    });
    app.use(graphiqlRouter());
    app.use(jsonErrors(services));
    const api = withCors(services.config.http.corsOrigins, apiEndpoint(this.apollo, services));
    this.httpServer.on('request', (req, res) => (isApiPath(req.url!) ? api(req, res) : app(req, res)));

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
}

/** Errors on the other routes, shaped as the API's own. */
function jsonErrors(services: Services) {
  return (error: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = errorAnswer(error, undefined, services.logger);
    res.status(status).json(body);
  };
}
