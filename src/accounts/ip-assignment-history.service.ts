import { DataSource } from 'typeorm';
import { IpAssignmentHistory } from '../db/entities';
import { findPage, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';

export const IP_ASSIGNMENT_HISTORY_LIST: ListSpec = {
  entity: 'IpAssignmentHistory',
  columns: {
    ...BASE_COLUMNS,
    subnet: 'ip',
    account_id: 'integer',
    assigned_datetime: 'datetime',
    removed_datetime: 'datetime',
    unique_identifier: 'string',
  },
  generalSearch: ['subnet', 'unique_identifier'],
};

/** Read-only: the rows are written by database triggers on ip_assignments (attribution's migration). */
export class IpAssignmentHistoryService {
  constructor(private readonly dataSource: DataSource) {}

  async list(query: ListQuery): Promise<Page<IpAssignmentHistory>> {
    return findPage(this.dataSource.getRepository(IpAssignmentHistory).createQueryBuilder('ip_assignment_history'), IP_ASSIGNMENT_HISTORY_LIST, query);
  }
}
