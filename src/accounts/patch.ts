import { badInput } from '../errors';

/**
 * Sonar's update semantics, in one place: only the fields sent change; `unset_<field>: true`
 * clears a nullable field; sending a value and `unset_` for the same field is contradictory.
 *
 * `input` is the update input as received (fields absent when not sent). Returns the changes
 * to apply, keyed by column. `null` as a value is refused: clearing is always explicit.
 */
export function resolvePatch<T extends object>(
  entity: string,
  input: Readonly<Record<string, unknown>>,
  nullable: readonly (keyof T & string)[],
): Partial<T> {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key.startsWith('unset_') || value === undefined) continue;
    if (value === null) {
      throw badInput(
        nullable.includes(key as keyof T & string)
          ? `${entity}.${key}: to clear it send unset_${key}: true, not null`
          : `${entity}.${key} cannot be null`,
      );
    }
    changes[key] = value;
  }
  for (const [key, value] of Object.entries(input)) {
    if (!key.startsWith('unset_') || value === undefined || value === null || value === false) continue;
    const field = key.slice('unset_'.length);
    if (!nullable.includes(field as keyof T & string)) throw badInput(`${entity}.${field} cannot be unset`);
    if (input[field] !== undefined && input[field] !== null) {
      throw badInput(`${entity}: both a value for ${field} and unset_${field} were sent; send one of them`);
    }
    changes[field] = null;
  }
  return changes as Partial<T>;
}
