/**
 * BENCH_PROFILE=1: wall time spent per kind of SQL statement (its first 40 characters), for the
 * benchmarks to print after a run. Wraps EntityManager.query once, when imported.
 */
import { EntityManager } from 'typeorm';

const statements = new Map<string, { ms: number; calls: number }>();

if (process.env.BENCH_PROFILE) {
  const original = EntityManager.prototype.query;
  EntityManager.prototype.query = async function (this: EntityManager, sql: string, parameters?: unknown[]) {
    const t = process.hrtime.bigint();
    try {
      return await original.call(this, sql, parameters);
    } finally {
      const kind = sql.replace(/\s+/g, ' ').trim().slice(0, 40);
      const entry = statements.get(kind) ?? { ms: 0, calls: 0 };
      entry.ms += Number(process.hrtime.bigint() - t) / 1e6;
      entry.calls++;
      statements.set(kind, entry);
    }
  } as typeof original;
}

/** Prints what was measured since the last call, then starts over. */
export function printStatementProfile(): void {
  for (const [kind, { ms, calls }] of statements) console.log(`  ${ms.toFixed(0).padStart(7)} ms ${calls.toString().padStart(6)} calls  ${kind}`);
  statements.clear();
}
