import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { applyListSql, ListQuery, ListSpec, translateListQuery } from './list-query';

/**
 * Running a ListQuery: one page of rows plus Sonar's PageInfo. Two helpers:
 *  - `findPage`: a root list (`accounts(...)`): 2 statements (rows, count).
 *  - `findPagesByParent`: the same page for many parents at once (`Account.ip_assignments`
 *    for every account of a page): 2 statements whatever the number of parents, which is
 *    what the per-request DataLoaders batch into.
 */

export interface PageInfo {
  page: number;
  total_pages: number;
  total_count: number;
  records_per_page: number;
}

export interface Page<T> {
  entities: T[];
  page_info: PageInfo;
}

export function pageInfo(page: number, recordsPerPage: number, totalCount: number): PageInfo {
  return { page, records_per_page: recordsPerPage, total_count: totalCount, total_pages: Math.ceil(totalCount / recordsPerPage) };
}

/**
 * One page of `qb` (whose main alias is its entity, possibly already scoped by the caller)
 * filtered, sorted and paginated by `query`.
 */
export async function findPage<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, spec: ListSpec, query: ListQuery): Promise<Page<T>> {
  const sql = translateListQuery(spec, query, qb.alias);
  applyListSql(qb, sql);
  // offset/limit (not skip/take): no joins here, and skip/take would add a DISTINCT subquery.
  const [entities, total] = await qb.offset(sql.offset).limit(sql.limit).getManyAndCount();
  return { entities, page_info: pageInfo(sql.page, sql.limit, total) };
}

/**
 * The page `query` selects, for each parent id, of the rows of `qb` whose `parentColumn`
 * is that id. Parents without rows get an empty page. Two statements: the counts, grouped by
 * parent, and the rows, numbered per parent with a window function and cut to the page.
 */
export async function findPagesByParent<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  spec: ListSpec,
  query: ListQuery,
  parentColumn: string,
  parentIds: readonly number[],
): Promise<Map<number, Page<T>>> {
  const alias = qb.alias;
  const sql = translateListQuery(spec, query, alias);
  const parent = `"${alias}"."${parentColumn}"`;
  const ids = [...new Set(parentIds)];
  const result = new Map<number, Page<T>>();
  for (const id of ids) result.set(id, { entities: [], page_info: pageInfo(sql.page, sql.limit, 0) });
  if (ids.length === 0) return result;

  const scoped = () => {
    const q = qb.clone().andWhere(`${parent} IN (:...lq_parent_ids)`, { lq_parent_ids: ids });
    if (sql.where) q.andWhere(sql.where, sql.parameters);
    return q;
  };

  const counts: Array<{ parent_id: string | number; total: string | number }> = await scoped()
    .select(parent, 'parent_id')
    .addSelect('count(*)', 'total')
    .groupBy(parent)
    .getRawMany();
  const anyRows = counts.some((c) => Number(c.total) > sql.offset);
  for (const c of counts) result.get(Number(c.parent_id))!.page_info = pageInfo(sql.page, sql.limit, Number(c.total));
  if (!anyRows) return result;

  const order = sql.orderBy.map(([expression, direction]) => `${expression} ${direction}`).join(', ');
  const numbered = scoped()
    .select(`"${alias}"."id"`, 'lq_id')
    .addSelect(`row_number() OVER (PARTITION BY ${parent} ORDER BY ${order})`, 'lq_rn');
  const rows = await qb
    .clone()
    .innerJoin(`(${numbered.getQuery()})`, 'lq_w', `"lq_w"."lq_id" = "${alias}"."id"`)
    .andWhere(`"lq_w"."lq_rn" > :lq_from AND "lq_w"."lq_rn" <= :lq_to`, { lq_from: sql.offset, lq_to: sql.offset + sql.limit })
    .setParameters({ ...numbered.getParameters(), lq_from: sql.offset, lq_to: sql.offset + sql.limit })
    .orderBy(parent, 'ASC')
    .addOrderBy('"lq_w"."lq_rn"', 'ASC')
    .getMany();
  for (const row of rows) result.get(Number(row[parentColumn]))?.entities.push(row);
  return result;
}
