import { ClassType, Field, ObjectType } from 'type-graphql';
import type { Page } from '../../db/list-page';
import { PageInfo } from './page-info.type';

/**
 * Declares Sonar's `<Name>Connection { entities: [<Name>!]!, page_info: PageInfo! }` for an
 * object type. One call per entity type, next to its object type:
 *
 *     export const AccountConnection = connectionType('Account', AccountObject);
 */
export function connectionType<T extends object>(typeName: string, itemType: ClassType<T>) {
  @ObjectType(`${typeName}Connection`, { description: `A page of ${typeName} with its PageInfo.` })
  class EntityConnection implements Page<T> {
    @Field(() => [itemType])
    entities!: T[];

    @Field(() => PageInfo)
    page_info!: PageInfo;
  }
  return EntityConnection;
}
