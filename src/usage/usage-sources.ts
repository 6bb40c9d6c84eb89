import type { EntityManager } from 'typeorm';
import type { UsageSource } from './ledger';

export const sourceKey = (s: UsageSource) => `${s.parent}\u0000${s.identifier}`;

/**
 * Ids for (parent, identifier) pairs, creating the missing ones. Looked up on every call rather
 * than cached: an id created inside a transaction that later rolls back must not outlive it, and
 * the lookup is one small indexed statement per batch.
 */
export async function resolveSourceIds(manager: EntityManager, sources: Iterable<UsageSource>): Promise<Map<string, number>> {
  const unique = new Map<string, UsageSource>();
  for (const s of sources) unique.set(sourceKey(s), s);
  const ids = new Map<string, number>();
  if (unique.size === 0) return ids;
  const lookup = async (list: UsageSource[]) => {
    const rows: { id: number; parent: string; identifier: string }[] = await manager.query(
      `SELECT s.id, s.parent, s.identifier FROM usage_sources s
         JOIN unnest($1::text[], $2::text[]) AS w(parent, identifier) USING (parent, identifier)`,
      [list.map((s) => s.parent), list.map((s) => s.identifier)],
    );
    for (const r of rows) ids.set(sourceKey(r), Number(r.id));
  };
  await lookup([...unique.values()]);
  const missing = [...unique.entries()].filter(([k]) => !ids.has(k)).map(([, s]) => s);
  if (missing.length > 0) {
    missing.sort((a, b) => (sourceKey(a) < sourceKey(b) ? -1 : 1));
    await manager.query(
      `INSERT INTO usage_sources (parent, identifier)
         SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
      [missing.map((s) => s.parent), missing.map((s) => s.identifier)],
    );
    // A separate statement: under READ COMMITTED it also sees rows a concurrent writer just committed.
    await lookup(missing);
  }
  return ids;
}
