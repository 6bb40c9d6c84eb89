import { DataSource } from 'typeorm';
import { RadiusSession } from '../db/entities';
import { findPage, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';

/** Sonar's RadiusSessionHistory, read side. Written only by the RADIUS accounting server. */
export const RADIUS_SESSION_LIST: ListSpec = {
  entity: 'RadiusSessionHistory',
  columns: {
    ...BASE_COLUMNS,
    start: 'datetime',
    end: 'datetime',
    ip_address: 'ip',
    nas_ip_address: 'ip',
    account_session_id: 'string',
    terminate_reason: 'string',
    username: 'string',
    account_id: 'integer',
  },
  generalSearch: ['username', 'account_session_id', 'ip_address', 'nas_ip_address'],
};

export class RadiusSessionService {
  constructor(private readonly dataSource: DataSource) {}

  list(query: ListQuery): Promise<Page<RadiusSession>> {
    return findPage(this.queryBuilder(), RADIUS_SESSION_LIST, query);
  }

  private queryBuilder() {
    return this.dataSource.getRepository(RadiusSession).createQueryBuilder('radius_session');
  }
}
