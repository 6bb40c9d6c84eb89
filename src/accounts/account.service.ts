import { DataSource, EntityManager } from 'typeorm';
import { Account, AccountStatus, AccountType } from '../db/entities';
import { findPage, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';
import { badInput } from '../errors';
import { resolvePatch } from './patch';
import { assertExists, findOrNotFound, requiredName } from './service-support';

export const ACCOUNT_LIST: ListSpec = {
  entity: 'Account',
  columns: {
    ...BASE_COLUMNS,
    name: 'string',
    account_status_id: 'integer',
    account_type_id: 'integer',
    activation_date: 'date',
    archived_at: 'datetime',
    bill_day: 'integer',
  },
};

export interface CreateAccountInput {
  name: string;
  account_status_id: number;
  account_type_id: number;
  activation_date?: string | Date | null;
  bill_day?: number | null;
}

export interface UpdateAccountInput {
  name?: string | null;
  account_status_id?: number | null;
  account_type_id?: number | null;
  activation_date?: string | Date | null;
  unset_activation_date?: boolean | null;
  bill_day?: number | null;
}

/** Accounts are archived, never deleted: usage and history keep pointing at them. */
export class AccountService {
  constructor(private readonly dataSource: DataSource) {}

  async list(query: ListQuery): Promise<Page<Account>> {
    return findPage(this.dataSource.getRepository(Account).createQueryBuilder('account'), ACCOUNT_LIST, query);
  }

  async get(id: number): Promise<Account> {
    return findOrNotFound(this.dataSource.manager, Account, 'Account', id);
  }

  async create(input: CreateAccountInput): Promise<Account> {
    return this.dataSource.transaction(async (manager) => {
      const account = manager.create(Account, {
        name: requiredName(input.name),
        account_status_id: input.account_status_id,
        account_type_id: input.account_type_id,
        activation_date: input.activation_date == null ? null : dateOnly(input.activation_date),
        bill_day: billDay(input.bill_day ?? 1),
        archived_at: null,
      });
      await this.checkReferences(manager, account);
      return manager.save(account);
    });
  }

  async update(id: number, input: UpdateAccountInput): Promise<Account> {
    const changes = resolvePatch<Account>('Account', { ...input }, ['activation_date']);
    if (changes.name !== undefined) changes.name = requiredName(changes.name);
    if (changes.bill_day !== undefined) changes.bill_day = billDay(changes.bill_day);
    if (changes.activation_date) changes.activation_date = dateOnly(changes.activation_date);
    return this.dataSource.transaction(async (manager) => {
      const account = await findOrNotFound(manager, Account, 'Account', id);
      Object.assign(account, changes);
      await this.checkReferences(manager, account);
      return manager.save(account);
    });
  }

  async archive(id: number): Promise<Account> {
    return this.setArchived(id, true);
  }

  async unarchive(id: number): Promise<Account> {
    return this.setArchived(id, false);
  }

  private setArchived(id: number, archived: boolean): Promise<Account> {
    return this.dataSource.transaction(async (manager) => {
      const account = await findOrNotFound(manager, Account, 'Account', id);
      // Idempotent: archiving an archived account keeps the original archive time.
      if (archived === (account.archived_at !== null)) return account;
      account.archived_at = archived ? new Date() : null;
      return manager.save(account);
    });
  }

  private async checkReferences(manager: EntityManager, account: Account): Promise<void> {
    await assertExists(manager, AccountStatus, 'AccountStatus', account.account_status_id);
    await assertExists(manager, AccountType, 'AccountType', account.account_type_id);
  }
}

/** 1..28 so that every month has the day: a period never starts on a day that does not exist. */
export function billDay(day: number): number {
  if (!Number.isInteger(day) || day < 1 || day > 28) throw badInput(`bill_day must be between 1 and 28 (got ${day})`);
  return day;
}

function dateOnly(value: string | Date): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw badInput('activation_date is not a valid date');
    return value.toISOString().slice(0, 10);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw badInput(`activation_date must be a date YYYY-MM-DD (got ${value})`);
  }
  return value;
}
