import { PageInfo } from '../common/page-info.type';

/** One page of an in-memory list (computed rows such as billing periods), Sonar-numbered from 1. */
export function pageOf<T>(all: T[], page = 1, recordsPerPage = 100): { entities: T[]; page_info: PageInfo } {
  const perPage = Math.max(1, recordsPerPage);
  return {
    entities: all.slice((page - 1) * perPage, page * perPage),
    page_info: Object.assign(new PageInfo(), {
      page,
      records_per_page: perPage,
      total_count: all.length,
      total_pages: Math.ceil(all.length / perPage),
    }),
  };
}
