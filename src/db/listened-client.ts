import { Client, type ClientConfig } from 'pg';

/**
 * A pg client that always has an 'error' listener. pg reports a connection the server ends (a
 * restart, a failover, pg_terminate_backend) as an 'error' event, and an 'error' event without a
 * listener ends the process. pg-pool takes its own listener off a client while it is lent out,
 * and TypeORM takes its listener off a failed client when it gives it back, so a second event
 * from the same dying connection had no listener: a database restart could crash the service. The
 * statement in flight still fails by itself, TypeORM releases the client with the error, and
 * the pool discards it; this listener has nothing left to do. Every pg pool in this service is
 * given it (`new Pool({ Client: ListenedClient })`).
 */
export class ListenedClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', () => {});
  }
}
