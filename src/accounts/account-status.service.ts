import { DataSource, In } from 'typeorm';
import { Account, AccountStatus } from '../db/entities';
import { findPage, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';
import { conflict } from '../errors';
import { resolvePatch } from './patch';
import { findOrNotFound, requiredName } from './service-support';

export const ACCOUNT_STATUS_LIST: ListSpec = {
  entity: 'AccountStatus',
  columns: { ...BASE_COLUMNS, name: 'string', activates_account: 'boolean' },
};

export interface CreateAccountStatusInput {
  name: string;
  activates_account?: boolean | null;
}

export interface UpdateAccountStatusInput {
  name?: string | null;
  activates_account?: boolean | null;
}

export class AccountStatusService {
  constructor(private readonly dataSource: DataSource) {}

  async list(query: ListQuery): Promise<Page<AccountStatus>> {
    return findPage(this.dataSource.getRepository(AccountStatus).createQueryBuilder('account_status'), ACCOUNT_STATUS_LIST, query);
  }

  /** For batching: the statuses with these ids, in one statement. */
  async byIds(ids: readonly number[]): Promise<AccountStatus[]> {
    return ids.length ? this.dataSource.getRepository(AccountStatus).findBy({ id: In([...new Set(ids)]) }) : Promise.resolve([]);
  }

  async create(input: CreateAccountStatusInput): Promise<AccountStatus> {
    const repo = this.dataSource.getRepository(AccountStatus);
    return repo.save(repo.create({ name: requiredName(input.name), activates_account: input.activates_account ?? true }));
  }

  async update(id: number, input: UpdateAccountStatusInput): Promise<AccountStatus> {
    const changes = resolvePatch<AccountStatus>('AccountStatus', { ...input }, []);
    if (changes.name !== undefined) changes.name = requiredName(changes.name);
    return this.dataSource.transaction(async (manager) => {
      const status = await findOrNotFound(manager, AccountStatus, 'AccountStatus', id);
      return manager.save(Object.assign(status, changes));
    });
  }

  async delete(id: number): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      const status = await findOrNotFound(manager, AccountStatus, 'AccountStatus', id);
      const users = await manager.countBy(Account, { account_status_id: id });
      if (users > 0) throw conflict(`AccountStatus ${id} is used by ${users} account(s); move them to another status first`);
      await manager.remove(status);
    });
  }
}
