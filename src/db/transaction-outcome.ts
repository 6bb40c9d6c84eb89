import type { DataSource, EntityManager } from 'typeorm';

/**
 * When a connection fails while COMMIT is on its way, the client cannot tell whether the
 * transaction committed; PostgreSQL can. A transaction notes its id, and after a failure
 * `pg_xact_status` says what became of it. Writers whose work cannot simply be repeated (adding
 * bytes) use this to write again only what did not commit.
 */
export type TransactionStatus = 'committed' | 'aborted' | 'in progress';

/** The id of the caller's transaction (assigned now, as its first write would). */
export async function transactionId(manager: EntityManager): Promise<string> {
  const [{ id }]: { id: string }[] = await manager.query(`SELECT pg_current_xact_id()::text AS id`);
  return id;
}

/** What became of transaction `id`; null once it is too old for the server to remember. */
export async function transactionStatus(db: DataSource, id: string): Promise<TransactionStatus | null> {
  const [{ status }]: { status: TransactionStatus | null }[] = await db.query(`SELECT pg_xact_status($1::xid8) AS status`, [id]);
  return status;
}
