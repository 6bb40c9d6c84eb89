import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import type http from 'node:http';
import { Client, Pool } from 'pg';
import { PGlitePool } from 'typeorm-pglite/dist/pglite-pool';
import type { App } from '../../src/app';

export interface RequestStatements {
  /** The statements that HTTP requests sent since the last call (oldest first); starts a new list. */
  take(): string[];
  /** Runs `work` with its statements left out of the count, even inside a request. */
  uncounted<T>(work: () => T): T;
  /** Puts the drivers and the HTTP server back as they were. */
  stop(): void;
}

/**
 * Records the SQL statements that the app's HTTP requests cause, and only those. Each request
 * is handled inside an AsyncLocalStorage store, which follows it through every await, callback
 * and DataLoader batch it starts. Statements are seen where they reach the driver: pg's
 * Client.query on PostgreSQL, typeorm-pglite's pool on PGlite. Every statement, TypeORM's and
 * preparedQuery's alike, passes there, and is counted when it runs inside a request's store.
 * Background work (pollers, flushes, syncs) is started outside any request, so its statements
 * never count, whatever their tables or schedule; work that a request itself sets going (a timer
 * it arms) carries the request's store and does count.
 */
export function recordRequestStatements(app: App): RequestStatements {
  const inRequest = new AsyncLocalStorage<true>();
  let statements: string[] = [];
  const counted =
    (query: Method): Method =>
    function (this: unknown, ...args) {
      if (inRequest.getStore()) statements.push(sqlText(args[0]));
      return query.apply(this, args);
    };
  const restoreDrivers = [
    replaceMethod(Client.prototype, 'query', counted),
    replaceMethod(PGlitePool.prototype, 'query', counted),
    // pool.query() waits for a free connection with a callback, which pg-pool calls from the code
    // that released one (maybe background work): bound, it runs in the waiting request's store.
    replaceMethod(
      Pool.prototype,
      'connect',
      (connect) =>
        function (this: Pool, callback?: Method) {
          return connect.call(this, callback && AsyncResource.bind(callback));
        },
    ),
  ];
  // HttpServer keeps its node server private; the test reaches in rather than widen the service's API.
  const server = (app.http as unknown as { httpServer: http.Server }).httpServer;
  const restoreServer = replaceMethod(
    server,
    'emit',
    (emit) =>
      function (this: http.Server, event: string | symbol, ...args) {
        return event === 'request' ? inRequest.run(true, () => emit.call(this, event, ...args)) : emit.call(this, event, ...args);
      },
  );
  return {
    take() {
      const taken = statements;
      statements = [];
      return taken;
    },
    uncounted: (work) => inRequest.exit(work),
    stop() {
      for (const restore of [restoreServer, ...restoreDrivers]) restore();
    },
  };
}

/** Any method: the drivers' and the server's are overloaded past what a wrapper can spell. */
type Method = (...args: any[]) => any;

/** Replaces `target[name]` with `wrap(original)`; returns the undo. */
function replaceMethod(target: object, name: string, wrap: (original: Method) => Method): () => void {
  const methods = target as Record<string, Method>;
  const original = methods[name];
  methods[name] = wrap(original);
  return () => {
    methods[name] = original;
  };
}

/** pg takes a string, a { text, name, values } config or a Submittable; PGlite a string. */
function sqlText(statement: unknown): string {
  return typeof statement === 'string' ? statement : String((statement as { text?: unknown } | null)?.text);
}
