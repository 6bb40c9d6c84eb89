import { ClassType, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import { DatetimeScalar, Int64BitScalar } from '../scalars';

/** The columns every Sonar entity exposes; entity object types extend this. */
@ObjectType()
export abstract class EntityNode {
  @Field(() => Int64BitScalar)
  id!: number;

  @Field(() => DatetimeScalar)
  created_at!: Date;

  @Field(() => DatetimeScalar)
  updated_at!: Date;
}

/** Unique across all types: base64url of "<Type>:<id>" (e.g. "Account:5" -> "QWNjb3VudDo1"). */
export function sonarUniqueId(typeName: string, id: number | bigint | string): string {
  return Buffer.from(`${typeName}:${id}`).toString('base64url');
}

/**
 * Base class for an entity's resolver: adds the computed `sonar_unique_id` and `_version`
 * (from the version column, which changes on every update) to the object type.
 *
 *     @Resolver(() => AccountObject)
 *     export class AccountResolver extends EntityNodeResolver('Account', AccountObject) { ... }
 */
export function EntityNodeResolver<T extends object>(typeName: string, objectType: ClassType<T>) {
  @Resolver(() => objectType)
  abstract class NodeResolver {
    @FieldResolver(() => ID, { description: 'Unique across all types.' })
    sonar_unique_id(@Root() root: { id: number }): string {
      return sonarUniqueId(typeName, root.id);
    }

    @FieldResolver(() => String, { description: 'Changes on every update.' })
    _version(@Root() root: { version: number }): string {
      return String(root.version);
    }
  }
  return NodeResolver;
}

/**
 * A mutation input as the domain wants it: only the fields that were sent, Int64Bit values
 * (bigint) as numbers. Ids beyond 2^53 become unsafe numbers that no row has (NOT_FOUND).
 */
export function domainInput<T>(input: object): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    out[key] = typeof value === 'bigint' ? Number(value) : value;
  }
  return out as T;
}

/** An Int64Bit id argument as the domain's number. */
export function idOf(id: bigint | number): number {
  return Number(id);
}
