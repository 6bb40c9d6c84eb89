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

/**
 * What became of each of these transactions, in order, asked in one statement. Null where the
 * server cannot say: too old for it to remember, or not yet assigned on this server (after a
 * failover or a restore, where pg_xact_status would refuse the whole statement).
 */
export async function transactionStatuses(db: DataSource, ids: string[]): Promise<(TransactionStatus | null)[]> {
  const rows: { status: TransactionStatus | null }[] = await db.query(
    `SELECT CASE WHEN t.id::xid8 < pg_snapshot_xmax(pg_current_snapshot()) THEN pg_xact_status(t.id::xid8) END AS status
       FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)
      ORDER BY t.n`,
    [ids],
  );
  return rows.map((r) => r.status);
}
