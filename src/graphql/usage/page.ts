import { pageInfo } from '../../db/list-page';
import { PageInfo } from '../common/page-info.type';

/** One page of an in-memory list (computed rows such as billing periods), Sonar-numbered from 1. */
export function pageOf<T>(all: T[], page: number, recordsPerPage: number): { entities: T[]; page_info: PageInfo } {
  return { entities: all.slice((page - 1) * recordsPerPage, page * recordsPerPage), page_info: pageInfo(page, recordsPerPage, all.length) };
}
