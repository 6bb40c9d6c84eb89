import { DataSource, EntityManager } from 'typeorm';
import { Account, InventoryItem, IpAssignment, RadiusAccount } from '../db/entities';
import type { IpAssignableType } from '../db/entities/ip-assignment.entity';
import { findPage, findPagesByParent, Page, pageInfo } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec, Paginator, resolvePaginator } from '../db/list-query';
import { sqlState, UNIQUE_VIOLATION } from '../db/sql-errors';
import { badInput, conflict } from '../errors';
import { resolvePatch } from './patch';
import { assertExists, findOrNotFound, OwnershipListener, subnetInput } from './service-support';

export type { IpAssignableType };

export const IP_ASSIGNMENT_LIST: ListSpec = {
  entity: 'IpAssignment',
  columns: {
    ...BASE_COLUMNS,
    subnet: 'ip',
    ipassignmentable_type: 'string',
    ipassignmentable_id: 'integer',
    soft: 'boolean',
    description: 'string',
    reference: 'string',
  },
  generalSearch: ['subnet', 'description', 'reference'],
};

export const IP_ASSIGNABLE_TYPES: readonly IpAssignableType[] = ['Account', 'InventoryItem', 'RadiusAccount'];

const OWNER_TABLES = { Account, InventoryItem, RadiusAccount } as const;

export interface CreateIpAssignmentInput {
  subnet: string;
  ipassignmentable_type: IpAssignableType;
  ipassignmentable_id: number;
  soft?: boolean | null;
  description?: string | null;
  reference?: string | null;
}

export interface UpdateIpAssignmentInput {
  subnet?: string | null;
  ipassignmentable_type?: IpAssignableType | null;
  ipassignmentable_id?: number | null;
  soft?: boolean | null;
  description?: string | null;
  unset_description?: boolean | null;
  reference?: string | null;
  unset_reference?: boolean | null;
}

/** One row of the flattened `account_ip_assignments` view. */
export interface AccountSubnet {
  account_id: number;
  subnet: string;
}

/**
 * SQL for "the account an ip_assignments row resolves to" through the owner chain
 * (Account itself, InventoryItem -> its account, RadiusAccount -> its account), given the
 * aliases of the assignment and of left-joined inventory_items / radius_accounts.
 */
const OWNER_ACCOUNT_SQL = `CASE ia.ipassignmentable_type
    WHEN 'Account' THEN ia.ipassignmentable_id
    WHEN 'InventoryItem' THEN ii.inventoryitemable_id
    WHEN 'RadiusAccount' THEN ra.account_id END`;
const OWNER_JOINS = `
  LEFT JOIN inventory_items ii ON ia.ipassignmentable_type = 'InventoryItem' AND ii.id = ia.ipassignmentable_id
  LEFT JOIN radius_accounts ra ON ia.ipassignmentable_type = 'RadiusAccount' AND ra.id = ia.ipassignmentable_id`;

/**
 * Static and learned (soft) address assignments. A subnet is held by at most one owner
 * (a more specific subnet inside a wider one is a different subnet and is allowed).
 * Every committed change refreshes attribution.
 */
export class IpAssignmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ownership: OwnershipListener,
  ) {}

  async list(query: ListQuery): Promise<Page<IpAssignment>> {
    return findPage(this.queryBuilder(), IP_ASSIGNMENT_LIST, query);
  }

  /** `X.ip_assignments` for many owners of one type at once (2 statements). */
  async pagesForOwners(type: IpAssignableType, ownerIds: readonly number[], query: ListQuery): Promise<Map<number, Page<IpAssignment>>> {
    const qb = this.queryBuilder().where('ip_assignment.ipassignmentable_type = :lq_owner_type', { lq_owner_type: type });
    return findPagesByParent(qb, IP_ASSIGNMENT_LIST, query, 'ipassignmentable_id', ownerIds);
  }

  async get(id: number): Promise<IpAssignment> {
    return findOrNotFound(this.dataSource.manager, IpAssignment, 'IpAssignment', id);
  }

  async create(input: CreateIpAssignmentInput): Promise<IpAssignment> {
    const subnet = subnetOf(input.subnet);
    const saved = await this.write(subnet, async (manager) => {
      const assignment = manager.create(IpAssignment, {
        subnet,
        ipassignmentable_type: ownerType(input.ipassignmentable_type),
        ipassignmentable_id: input.ipassignmentable_id,
        soft: input.soft ?? false,
        description: input.description ?? null,
        reference: input.reference ?? null,
      });
      await this.checkOwner(manager, assignment);
      await this.checkSubnetFree(manager, subnet, null);
      return manager.save(assignment);
    });
    await this.ownership.refresh();
    return saved;
  }

  async update(id: number, input: UpdateIpAssignmentInput): Promise<IpAssignment> {
    const changes = resolvePatch<IpAssignment>('IpAssignment', { ...input }, ['description', 'reference']);
    if (changes.subnet !== undefined) changes.subnet = subnetOf(changes.subnet);
    if (changes.ipassignmentable_type !== undefined) ownerType(changes.ipassignmentable_type);
    const saved = await this.write(changes.subnet ?? '', async (manager) => {
      const assignment = await findOrNotFound(manager, IpAssignment, 'IpAssignment', id);
      Object.assign(assignment, changes);
      if (changes.ipassignmentable_type !== undefined || changes.ipassignmentable_id !== undefined) {
        await this.checkOwner(manager, assignment);
      }
      if (changes.subnet !== undefined) await this.checkSubnetFree(manager, assignment.subnet, id);
      return manager.save(assignment);
    });
    await this.ownership.refresh();
    return saved;
  }

  async delete(id: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const assignment = await findOrNotFound(manager, IpAssignment, 'IpAssignment', id);
      await manager.remove(assignment);
    });
    await this.ownership.refresh();
  }

  /**
   * Every subnet that resolves to an account through the owner chain, ordered by account
   * then subnet; all accounts when `accountId` is absent (what collectors poll).
   */
  async accountSubnets(accountId: number | null | undefined, paginator?: Paginator | null): Promise<Page<AccountSubnet>> {
    const { page, records_per_page } = resolvePaginator(paginator);
    const filter = accountId == null ? '' : `WHERE ${OWNER_ACCOUNT_SQL} = $1`;
    const params = accountId == null ? [] : [accountId];
    const n = params.length;
    const rows: Array<{ account_id: string; subnet: string; total: string }> = await this.dataSource.query(
      `SELECT ${OWNER_ACCOUNT_SQL} AS account_id, ia.subnet::text AS subnet, count(*) OVER () AS total
         FROM ip_assignments ia ${OWNER_JOINS}
         ${filter}
        ORDER BY 1, ia.subnet
        LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, records_per_page, (page - 1) * records_per_page],
    );
    // A page past the end has no rows to carry the total: count separately then (rare).
    let total = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && page > 1) {
      const [row] = await this.dataSource.query(`SELECT count(*) AS total FROM ip_assignments ia ${OWNER_JOINS} ${filter}`, params);
      total = Number(row.total);
    }
    return {
      entities: rows.map((r) => ({ account_id: Number(r.account_id), subnet: r.subnet })),
      page_info: pageInfo(page, records_per_page, total),
    };
  }

  private queryBuilder() {
    return this.dataSource.getRepository(IpAssignment).createQueryBuilder('ip_assignment');
  }

  private checkOwner(manager: EntityManager, assignment: IpAssignment): Promise<void> {
    const type = ownerType(assignment.ipassignmentable_type);
    return assertExists(manager, OWNER_TABLES[type], type, assignment.ipassignmentable_id);
  }

  /** CONFLICT naming the holder (and the account it resolves to) when another row holds the subnet. */
  private async checkSubnetFree(manager: EntityManager, subnet: string, self: number | null): Promise<void> {
    const [holder]: Array<{ id: string; type: string; owner_id: string; account_id: string | null }> = await manager.query(
      `SELECT ia.id, ia.ipassignmentable_type AS type, ia.ipassignmentable_id AS owner_id, ${OWNER_ACCOUNT_SQL} AS account_id
         FROM ip_assignments ia ${OWNER_JOINS}
        WHERE ia.subnet = $1::cidr`,
      [subnet],
    );
    if (holder && Number(holder.id) !== self) {
      throw conflict(
        `Subnet ${subnet} is already assigned to ${holder.type} ${holder.owner_id}` +
          `${holder.account_id !== null && holder.type !== 'Account' ? ` (account ${holder.account_id})` : ''} by IpAssignment ${holder.id}`,
        { ipassignment_id: Number(holder.id), ipassignmentable_type: holder.type, ipassignmentable_id: Number(holder.owner_id) },
      );
    }
  }

  /** A transaction whose unique-index race (two creates of one subnet at once) still ends as CONFLICT. */
  private async write<T>(subnet: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw conflict(`Subnet ${subnet} is already assigned to another owner`);
      throw error;
    }
  }
}

function ownerType(type: string): IpAssignableType {
  if (!IP_ASSIGNABLE_TYPES.includes(type as IpAssignableType)) {
    throw badInput(`ipassignmentable_type must be one of ${IP_ASSIGNABLE_TYPES.join(', ')} (got ${type})`);
  }
  return type as IpAssignableType;
}

/**
 * The normalized subnet (policy in net/ip.ts: bare address = /32 or /128; host bits set is
 * refused with a suggestion). IPv4-mapped IPv6 (::ffff:10.0.0.1) is refused too: traffic
 * arrives as IPv4, so such an assignment would never match anything.
 */
export function subnetOf(text: string): string {
  const subnet = subnetInput(text);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)\/(\d+)$/i.exec(subnet);
  if (mapped) {
    throw badInput(`subnet ${subnet} is an IPv4-mapped IPv6 address; use the IPv4 form ${mapped[1]}/${Math.max(0, Number(mapped[2]) - 96)}`);
  }
  return subnet;
}
