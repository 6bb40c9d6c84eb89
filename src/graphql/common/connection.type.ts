import { ClassType, Field, ObjectType } from 'type-graphql';
import { PageInfo } from './page-info.type';

/** What a `<Name>Connection` field resolves to. */
export interface Connection<T> {
  entities: T[];
  page_info: PageInfo;
}

/**
 * Declares Sonar's `<Name>Connection { entities: [<Name>!]!, page_info: PageInfo! }` for an
 * object type. One call per entity type, next to its object type:
 *
 *     export const AccountConnection = connectionType('Account', AccountObject);
 */
export function connectionType<T extends object>(typeName: string, itemType: ClassType<T>) {
  @ObjectType(`${typeName}Connection`, { description: `A page of ${typeName} with its PageInfo.` })
  class EntityConnection implements Connection<T> {
    @Field(() => [itemType])
    entities!: T[];

    @Field(() => PageInfo)
    page_info!: PageInfo;
  }
  return EntityConnection;
}
