import { DataSource } from 'typeorm';
import { Account, AccountType } from '../db/entities';
import { findPage, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';
import { conflict } from '../errors';
import { resolvePatch } from './patch';
import { findOrNotFound, requiredName } from './service-support';

export const ACCOUNT_TYPE_LIST: ListSpec = {
  entity: 'AccountType',
  columns: { ...BASE_COLUMNS, name: 'string' },
};

export interface CreateAccountTypeInput {
  name: string;
}

export interface UpdateAccountTypeInput {
  name?: string | null;
}

export class AccountTypeService {
  constructor(private readonly dataSource: DataSource) {}

  async list(query: ListQuery): Promise<Page<AccountType>> {
    return findPage(this.dataSource.getRepository(AccountType).createQueryBuilder('account_type'), ACCOUNT_TYPE_LIST, query);
  }

  async create(input: CreateAccountTypeInput): Promise<AccountType> {
    const repo = this.dataSource.getRepository(AccountType);
    return repo.save(repo.create({ name: requiredName(input.name) }));
  }

  async update(id: number, input: UpdateAccountTypeInput): Promise<AccountType> {
    const changes = resolvePatch<AccountType>('AccountType', { ...input }, []);
    if (changes.name !== undefined) changes.name = requiredName(changes.name);
    return this.dataSource.transaction(async (manager) => {
      const type = await findOrNotFound(manager, AccountType, 'AccountType', id);
      return manager.save(Object.assign(type, changes));
    });
  }

  async delete(id: number): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      const type = await findOrNotFound(manager, AccountType, 'AccountType', id);
      const users = await manager.countBy(Account, { account_type_id: id });
      if (users > 0) throw conflict(`AccountType ${id} is used by ${users} account(s); move them to another type first`);
      await manager.remove(type);
    });
  }
}
