import type { DataSource, EntityManager } from 'typeorm';
import type { UsageSource } from './ledger';

export const sourceKey = (s: UsageSource) => `${s.parent}\u0000${s.identifier}`;

/**
 * Committed source ids per database. usage_sources rows are never deleted or renumbered, so an
 * id once seen committed stays right for the life of the process; every ingester batch then
 * finds its sources here instead of asking the database again.
 */
const committedIds = new WeakMap<DataSource, Map<string, number>>();
/**
 * Keys this transaction inserted itself. Their ids are visible to the transaction before they
 * are committed, and must not reach `committedIds` until a later transaction reads them: if
 * this one rolls back, the id never existed.
 */
const insertedBy = new WeakMap<EntityManager, Set<string>>();

/**
 * Ids for (parent, identifier) pairs, creating the missing ones: from the process-wide cache of
 * committed ids when it has them all (no statement at all), else one lookup, and an insert plus
 * a second lookup for sources never seen before.
 */
export async function resolveSourceIds(manager: EntityManager, sources: Iterable<UsageSource>): Promise<Map<string, number>> {
  let cache = committedIds.get(manager.connection);
  if (!cache) committedIds.set(manager.connection, (cache = new Map()));
  const ids = new Map<string, number>();
  const unknown = new Map<string, UsageSource>();
  for (const s of sources) {
    const key = sourceKey(s);
    const id = cache.get(key);
    if (id !== undefined) ids.set(key, id);
    else unknown.set(key, s);
  }
  if (unknown.size === 0) return ids;

  const lookup = async (list: UsageSource[]) => {
    const ownInserts = insertedBy.get(manager);
    const rows: { id: number; parent: string; identifier: string }[] = await manager.query(
      `SELECT s.id, s.parent, s.identifier FROM usage_sources s
         JOIN unnest($1::text[], $2::text[]) AS w(parent, identifier) USING (parent, identifier)`,
      [list.map((s) => s.parent), list.map((s) => s.identifier)],
    );
    for (const r of rows) {
      const key = sourceKey(r);
      ids.set(key, Number(r.id));
      if (!ownInserts?.has(key)) cache.set(key, Number(r.id));
    }
  };
  await lookup([...unknown.values()]);
  const missing = [...unknown.entries()].filter(([k]) => !ids.has(k)).map(([, s]) => s);
  if (missing.length > 0) {
    missing.sort((a, b) => (sourceKey(a) < sourceKey(b) ? -1 : 1));
    const inserted: { parent: string; identifier: string }[] = await manager.query(
      `INSERT INTO usage_sources (parent, identifier)
         SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING RETURNING parent, identifier`,
      [missing.map((s) => s.parent), missing.map((s) => s.identifier)],
    );
    if (inserted.length > 0) {
      const own = insertedBy.get(manager) ?? new Set<string>();
      for (const r of inserted) own.add(sourceKey(r));
      insertedBy.set(manager, own);
    }
    // A separate statement: under READ COMMITTED it also sees rows a concurrent writer just committed.
    await lookup(missing);
  }
  return ids;
}
