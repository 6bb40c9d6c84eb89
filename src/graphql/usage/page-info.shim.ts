import { Field, Int, ObjectType } from 'type-graphql';

/**
 * TEMPORARY: Sonar's PageInfo until the shared list machinery (src/graphql/common/page-info.type.ts)
 * lands on main; then this file is deleted and the import switched.
 */
@ObjectType({ description: 'Where a page sits in a list: Sonar pages start at 1.' })
export class PageInfo {
  @Field(() => Int)
  page!: number;

  @Field(() => Int)
  total_pages!: number;

  @Field(() => Int)
  total_count!: number;

  @Field(() => Int)
  records_per_page!: number;
}

export function pageOf<T>(all: T[], page = 1, recordsPerPage = 100): { entities: T[]; page_info: PageInfo } {
  const perPage = Math.max(1, recordsPerPage);
  return {
    entities: all.slice((page - 1) * perPage, page * perPage),
    page_info: { page, records_per_page: perPage, total_count: all.length, total_pages: Math.ceil(all.length / perPage) },
  };
}
