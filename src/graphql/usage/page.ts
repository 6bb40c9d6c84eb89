import { pageInfo } from '../../db/list-page';
import type { Connection } from '../common/connection.type';

/** One page of an in-memory list (computed rows such as billing periods), Sonar-numbered from 1. */
export function pageOf<T>(all: T[], page: number, recordsPerPage: number): Connection<T> {
  return { entities: all.slice((page - 1) * recordsPerPage, page * recordsPerPage), page_info: pageInfo(page, recordsPerPage, all.length) };
}
