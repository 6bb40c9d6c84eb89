import { DataSource, EntityManager } from 'typeorm';
import { Account, IpAssignment, RadiusAccount } from '../db/entities';
import { findPage, findPagesByParent, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';
import { sqlState, UNIQUE_VIOLATION } from '../db/sql-errors';
import { conflict } from '../errors';
import { resolvePatch } from './patch';
import { assertExists, findOrNotFound, OwnershipListener, requiredName } from './service-support';

/** `password` is deliberately absent: it can be neither filtered, sorted nor searched. */
export const RADIUS_ACCOUNT_LIST: ListSpec = {
  entity: 'RadiusAccount',
  columns: { ...BASE_COLUMNS, account_id: 'integer', username: 'string' },
};

export interface CreateRadiusAccountInput {
  account_id: number;
  username: string;
  password?: string | null;
}

export interface UpdateRadiusAccountInput {
  account_id?: number | null;
  username?: string | null;
  password?: string | null;
  unset_password?: boolean | null;
}

/**
 * RADIUS logins. The username decides which account a RADIUS session's usage belongs to,
 * so changing it (or the account) refreshes attribution. The password is write-only: it
 * is stored for a RADIUS server to read but never selected by this service.
 */
export class RadiusAccountService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ownership: OwnershipListener,
  ) {}

  async list(query: ListQuery): Promise<Page<RadiusAccount>> {
    return findPage(this.queryBuilder(), RADIUS_ACCOUNT_LIST, query);
  }

  /** `Account.radius_accounts` for many accounts at once (2 statements). */
  async pagesForAccounts(accountIds: readonly number[], query: ListQuery): Promise<Map<number, Page<RadiusAccount>>> {
    return findPagesByParent(this.queryBuilder(), RADIUS_ACCOUNT_LIST, query, 'account_id', accountIds);
  }

  async get(id: number): Promise<RadiusAccount> {
    return findOrNotFound(this.dataSource.manager, RadiusAccount, 'RadiusAccount', id);
  }

  async create(input: CreateRadiusAccountInput): Promise<RadiusAccount> {
    const saved = await this.write(async (manager) => {
      const radius = manager.create(RadiusAccount, {
        account_id: input.account_id,
        username: requiredName(input.username, 'username'),
        password: input.password ?? null,
      });
      await assertExists(manager, Account, 'Account', radius.account_id);
      await this.checkUsernameFree(manager, radius.username, null);
      return manager.save(radius);
    });
    await this.ownership.refresh();
    return withoutPassword(saved);
  }

  async update(id: number, input: UpdateRadiusAccountInput): Promise<RadiusAccount> {
    const changes = resolvePatch<RadiusAccount>('RadiusAccount', { ...input }, ['password']);
    if (changes.username !== undefined) changes.username = requiredName(changes.username, 'username');
    let ownershipChanged = false;
    const saved = await this.write(async (manager) => {
      const radius = await findOrNotFound(manager, RadiusAccount, 'RadiusAccount', id);
      ownershipChanged =
        (changes.account_id !== undefined && changes.account_id !== radius.account_id) ||
        (changes.username !== undefined && changes.username !== radius.username);
      if (changes.account_id !== undefined) await assertExists(manager, Account, 'Account', changes.account_id);
      if (changes.username !== undefined) await this.checkUsernameFree(manager, changes.username, id);
      return manager.save(Object.assign(radius, changes));
    });
    if (ownershipChanged) await this.ownership.refresh();
    return withoutPassword(saved);
  }

  /** Deletes the login and the addresses it held. */
  async delete(id: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const radius = await findOrNotFound(manager, RadiusAccount, 'RadiusAccount', id);
      await manager.delete(IpAssignment, { ipassignmentable_type: 'RadiusAccount', ipassignmentable_id: id });
      await manager.remove(radius);
    });
    await this.ownership.refresh();
  }

  private queryBuilder() {
    return this.dataSource.getRepository(RadiusAccount).createQueryBuilder('radius_account');
  }

  private async checkUsernameFree(manager: EntityManager, username: string, self: number | null): Promise<void> {
    const holder = await manager.findOneBy(RadiusAccount, { username });
    if (holder && holder.id !== self) {
      throw conflict(`RADIUS username "${username}" is already used by RadiusAccount ${holder.id} (account ${holder.account_id})`);
    }
  }

  /** A transaction whose unique-index race (two creates at once) still ends as CONFLICT. */
  private async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw conflict('RADIUS username is already used by another RadiusAccount');
      throw error;
    }
  }
}

function withoutPassword(radius: RadiusAccount): RadiusAccount {
  delete (radius as Partial<RadiusAccount>).password;
  return radius;
}
