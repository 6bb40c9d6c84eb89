import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { badInput, notFound } from '../errors';
import { normalizeSubnet } from '../net/ip';

/**
 * What the account services need from attribution: "ownership changed, reload".
 * Called after a transaction that changed ip_assignments, an inventory item's account or a
 * RADIUS account's account/username has COMMITTED (so the reload sees the change).
 */
export interface OwnershipListener {
  refresh(): Promise<void>;
}

/** The row with this id, or NOT_FOUND naming the type ("Account 5 does not exist"). */
export async function findOrNotFound<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  typeName: string,
  id: number,
): Promise<T> {
  const row = Number.isSafeInteger(id) && id > 0 ? await manager.findOneBy(target, { id } as never) : null;
  if (!row) throw notFound(typeName, id);
  return row;
}

/** Throws NOT_FOUND unless a row with this id exists (one cheap statement). */
export async function assertExists(manager: EntityManager, target: EntityTarget<ObjectLiteral>, typeName: string, id: number): Promise<void> {
  const exists = Number.isSafeInteger(id) && id > 0 && (await manager.existsBy(target, { id } as never));
  if (!exists) throw notFound(typeName, id);
}

/** A subnet from the API, normalized (see net/ip.ts), or a bad-input error that says why not. */
export function subnetInput(value: unknown): string {
  try {
    return normalizeSubnet(value);
  } catch (error) {
    throw badInput(`subnet: ${(error as Error).message}`);
  }
}

/** A trimmed, non-empty text field. */
export function requiredName(name: unknown, field = 'name'): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (!trimmed) throw badInput(`${field} must not be empty`);
  return trimmed;
}
