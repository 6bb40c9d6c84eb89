import { Page, pageInfo } from '../../db/list-page';

/** One page of an in-memory list (computed rows such as billing periods), Sonar-numbered from 1. */
export function pageOf<T>(all: T[], page: number, recordsPerPage: number): Page<T> {
  return { entities: all.slice((page - 1) * recordsPerPage, page * recordsPerPage), page_info: pageInfo(page, recordsPerPage, all.length) };
}
