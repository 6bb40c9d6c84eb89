import { App } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Engine } from '../../src/db/data-source';
import { createLogger } from '../../src/logger';
import { createTestDatabase, TestDatabase } from './database';

export const TEST_TOKEN = 'um_test_token_for_the_test_suite_only_000000';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown }; path?: string[] }[];
}

export interface TestApp {
  app: App;
  url: string;
  token: string;
  db: TestDatabase;
  /** POST a GraphQL operation with the test token (or `token: null` for none). */
  gql<T = any>(query: string, variables?: Record<string, unknown>, options?: { token?: string | null }): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/**
 * The whole service, as `npm start` runs it, on a fresh database and an ephemeral port.
 * `env` overrides configuration (e.g. `{ RADIUS_ACCT_PORT: '0' }`); every listener
 * defaults to port 0 so parallel test files never collide.
 */
export async function startTestApp(engine: Engine, env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase(engine);
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    BOOTSTRAP_API_TOKEN: TEST_TOKEN,
    RADIUS_ACCT_PORT: '0',
    NETFLOW_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(db.settings.url ? { DATABASE_URL: db.settings.url } : { DATA_DIR: db.settings.dataDir }),
    ...env,
  });
  const app = new App(config, createLogger(config.log.level));
  await app.start();
  const url = `http://127.0.0.1:${app.http.port}`;
  return {
    app,
    url,
    token: TEST_TOKEN,
    db,
    async gql(query, variables, options = {}) {
      const token = options.token === undefined ? TEST_TOKEN : options.token;
      const response = await fetch(`${url}/api/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphQLResponse;
      return { status: response.status, data: body.data, errors: body.errors };
    },
    async stop() {
      await app.stop();
      await db.drop();
    },
  };
}
