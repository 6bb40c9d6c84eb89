import { DataSource, EntityManager } from 'typeorm';
import { Account, InventoryItem, IpAssignment } from '../db/entities';
import { findPage, findPagesByParent, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';
import { badInput } from '../errors';
import { resolvePatch } from './patch';
import { assertExists, findOrNotFound, OwnershipListener } from './service-support';

export const INVENTORY_ITEM_LIST: ListSpec = {
  entity: 'InventoryItem',
  columns: {
    ...BASE_COLUMNS,
    name: 'string',
    mac_address: 'string',
    serial_number: 'string',
    inventoryitemable_type: 'string',
    inventoryitemable_id: 'integer',
  },
  generalSearch: ['name', 'mac_address', 'serial_number'],
};

export type InventoryitemableType = 'Account';

export interface CreateInventoryItemInput {
  name?: string | null;
  mac_address?: string | null;
  serial_number?: string | null;
  inventoryitemable_type?: InventoryitemableType | null;
  inventoryitemable_id: number;
}

export interface UpdateInventoryItemInput {
  name?: string | null;
  unset_name?: boolean | null;
  mac_address?: string | null;
  unset_mac_address?: boolean | null;
  serial_number?: string | null;
  unset_serial_number?: boolean | null;
  inventoryitemable_type?: InventoryitemableType | null;
  inventoryitemable_id?: number | null;
}

/** Customer devices. Moving one to another account moves its addresses with it (attribution refresh). */
export class InventoryItemService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ownership: OwnershipListener,
  ) {}

  async list(query: ListQuery): Promise<Page<InventoryItem>> {
    return findPage(this.queryBuilder(), INVENTORY_ITEM_LIST, query);
  }

  /** `Account.inventory_items` for many accounts at once (2 statements). */
  async pagesForAccounts(accountIds: readonly number[], query: ListQuery): Promise<Map<number, Page<InventoryItem>>> {
    return findPagesByParent(this.queryBuilder(), INVENTORY_ITEM_LIST, query, 'inventoryitemable_id', accountIds);
  }

  async get(id: number): Promise<InventoryItem> {
    return findOrNotFound(this.dataSource.manager, InventoryItem, 'InventoryItem', id);
  }

  async create(input: CreateInventoryItemInput): Promise<InventoryItem> {
    return this.dataSource.transaction(async (manager) => {
      const item = manager.create(InventoryItem, {
        name: input.name ?? null,
        mac_address: normalizeMac(input.mac_address),
        serial_number: input.serial_number ?? null,
        inventoryitemable_type: itemableType(input.inventoryitemable_type ?? 'Account'),
        inventoryitemable_id: input.inventoryitemable_id,
      });
      await this.checkOwner(manager, item);
      return manager.save(item);
    });
  }

  async update(id: number, input: UpdateInventoryItemInput): Promise<InventoryItem> {
    const changes = resolvePatch<InventoryItem>('InventoryItem', { ...input }, ['name', 'mac_address', 'serial_number']);
    if (changes.mac_address) changes.mac_address = normalizeMac(changes.mac_address);
    if (changes.inventoryitemable_type !== undefined) itemableType(changes.inventoryitemable_type);
    let moved = false;
    const item = await this.dataSource.transaction(async (manager) => {
      const item = await findOrNotFound(manager, InventoryItem, 'InventoryItem', id);
      moved = changes.inventoryitemable_id !== undefined && changes.inventoryitemable_id !== item.inventoryitemable_id;
      Object.assign(item, changes);
      if (moved) await this.checkOwner(manager, item);
      return manager.save(item);
    });
    if (moved) await this.ownership.refresh();
    return item;
  }

  /** Deletes the device and the addresses it held (their history rows are closed by the database). */
  async delete(id: number): Promise<void> {
    let releasedAddresses = 0;
    await this.dataSource.transaction(async (manager) => {
      const item = await findOrNotFound(manager, InventoryItem, 'InventoryItem', id);
      releasedAddresses = (await manager.delete(IpAssignment, { ipassignmentable_type: 'InventoryItem', ipassignmentable_id: id })).affected ?? 0;
      await manager.remove(item);
    });
    if (releasedAddresses > 0) await this.ownership.refresh();
  }

  private queryBuilder() {
    return this.dataSource.getRepository(InventoryItem).createQueryBuilder('inventory_item');
  }

  private checkOwner(manager: EntityManager, item: InventoryItem): Promise<void> {
    return assertExists(manager, Account, 'Account', item.inventoryitemable_id);
  }
}

function itemableType(type: string): InventoryitemableType {
  if (type !== 'Account') throw badInput(`inventoryitemable_type must be Account (got ${type})`);
  return type;
}

/** Stored as lowercase colon-separated hex when it looks like a MAC; anything else is refused. */
function normalizeMac(mac: string | null | undefined): string | null {
  if (mac === null || mac === undefined) return null;
  const hex = mac.replace(/[^0-9a-fA-F]/g, '');
  if (hex.length !== 12 || !/^[0-9a-fA-F:.\- ]+$/.test(mac.trim())) {
    throw badInput(`mac_address "${mac}" is not a MAC address (e.g. 00:11:22:33:44:55)`);
  }
  return hex.toLowerCase().match(/../g)!.join(':');
}
