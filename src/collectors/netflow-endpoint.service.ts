import { DataSource, EntityManager } from 'typeorm';
import { NetflowAllowedSubnet, NetflowEndpoint, NetflowWhitelist } from '../db/entities';
import { findPage, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';
import { badInput, conflict } from '../errors';
import { resolvePatch } from '../accounts/patch';
import { assertExists, findOrNotFound, requiredName, subnetInput } from '../accounts/service-support';

/**
 * Sonar's NetFlow configuration objects. The collector re-reads them on every committed
 * change (`onChange`) and periodically, so an operator's edit applies within moments.
 */

export const NETFLOW_ENDPOINT_LIST: ListSpec = {
  entity: 'NetflowEndpoint',
  columns: { ...BASE_COLUMNS, name: 'string', whitelist_mode: 'boolean', sampling_rate: 'integer' },
};
export const NETFLOW_ALLOWED_SUBNET_LIST: ListSpec = {
  entity: 'NetflowAllowedSubnet',
  columns: { ...BASE_COLUMNS, netflow_endpoint_id: 'integer', subnet: 'ip' },
  generalSearch: ['subnet'],
};
export const NETFLOW_WHITELIST_LIST: ListSpec = {
  entity: 'NetflowWhitelist',
  columns: { ...BASE_COLUMNS, netflow_endpoint_id: 'integer', subnet: 'ip' },
  generalSearch: ['subnet'],
};

export interface NetflowEndpointInput {
  name?: string | null;
  whitelist_mode?: boolean | null;
  sampling_rate?: number | null;
  unset_sampling_rate?: boolean | null;
}

export interface NetflowSubnetInput {
  netflow_endpoint_id?: number | null;
  subnet?: string | null;
}

/** Told after a committed change to endpoints or their subnets. */
export type NetflowConfigListener = () => void;

class Changes {
  private readonly listeners: NetflowConfigListener[] = [];
  onChange(listener: NetflowConfigListener): void {
    this.listeners.push(listener);
  }
  emit(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        /* a listener's failure is its own */
      }
    }
  }
}

function samplingRate(value: number | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  if (!Number.isInteger(value) || value < 1 || value > 1_000_000) throw badInput('sampling_rate must be an integer 1..1000000 (1-in-N)');
  return value;
}

export class NetflowEndpointService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly changes: Changes,
  ) {}

  onChange(listener: NetflowConfigListener): void {
    this.changes.onChange(listener);
  }

  list(query: ListQuery): Promise<Page<NetflowEndpoint>> {
    return findPage(this.dataSource.getRepository(NetflowEndpoint).createQueryBuilder('netflow_endpoint'), NETFLOW_ENDPOINT_LIST, query);
  }

  async create(input: NetflowEndpointInput): Promise<NetflowEndpoint> {
    const repo = this.dataSource.getRepository(NetflowEndpoint);
    const saved = await repo.save(
      repo.create({ name: requiredName(input.name), whitelist_mode: input.whitelist_mode ?? false, sampling_rate: samplingRate(input.sampling_rate) ?? null }),
    );
    this.changes.emit();
    return saved;
  }

  async update(id: number, input: NetflowEndpointInput): Promise<NetflowEndpoint> {
    const changes = resolvePatch<NetflowEndpoint>('NetflowEndpoint', { ...input }, ['sampling_rate']);
    if (changes.name !== undefined) changes.name = requiredName(changes.name);
    if (changes.whitelist_mode === null) throw badInput('whitelist_mode cannot be null');
    if (changes.sampling_rate !== undefined) changes.sampling_rate = samplingRate(changes.sampling_rate) ?? null;
    const saved = await this.dataSource.transaction(async (manager) => {
      const row = await findOrNotFound(manager, NetflowEndpoint, 'NetflowEndpoint', id);
      return manager.save(Object.assign(row, changes));
    });
    this.changes.emit();
    return saved;
  }

  /** Deletes the endpoint with its allowed subnets and whitelist entries. */
  async delete(id: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await findOrNotFound(manager, NetflowEndpoint, 'NetflowEndpoint', id);
      await manager.delete(NetflowAllowedSubnet, { netflow_endpoint_id: id });
      await manager.delete(NetflowWhitelist, { netflow_endpoint_id: id });
      await manager.remove(row);
    });
    this.changes.emit();
  }
}

type SubnetEntity = typeof NetflowAllowedSubnet | typeof NetflowWhitelist;

/** NetflowAllowedSubnet and NetflowWhitelist: (endpoint, subnet) pairs, one service shape for both. */
export class NetflowSubnetService<E extends NetflowAllowedSubnet | NetflowWhitelist> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly changes: Changes,
    private readonly entity: SubnetEntity,
    private readonly typeName: 'NetflowAllowedSubnet' | 'NetflowWhitelist',
    private readonly spec: ListSpec,
  ) {}

  list(query: ListQuery): Promise<Page<E>> {
    return findPage(this.dataSource.getRepository(this.entity).createQueryBuilder('row'), this.spec, query) as Promise<Page<E>>;
  }

  async create(input: NetflowSubnetInput): Promise<E> {
    if (input.netflow_endpoint_id === undefined || input.netflow_endpoint_id === null) throw badInput('netflow_endpoint_id is required');
    const subnet = subnetInput(input.subnet);
    const saved = await this.dataSource.transaction(async (manager) => {
      await assertExists(manager, NetflowEndpoint, 'NetflowEndpoint', input.netflow_endpoint_id!);
      await this.assertFree(manager, subnet, input.netflow_endpoint_id!, null);
      return manager.save(manager.create(this.entity, { netflow_endpoint_id: input.netflow_endpoint_id!, subnet }));
    });
    this.changes.emit();
    return saved as E;
  }

  async update(id: number, input: NetflowSubnetInput): Promise<E> {
    const saved = await this.dataSource.transaction(async (manager) => {
      const row = await findOrNotFound(manager, this.entity, this.typeName, id);
      if (input.netflow_endpoint_id !== undefined && input.netflow_endpoint_id !== null) {
        await assertExists(manager, NetflowEndpoint, 'NetflowEndpoint', input.netflow_endpoint_id);
        row.netflow_endpoint_id = input.netflow_endpoint_id;
      }
      if (input.subnet !== undefined && input.subnet !== null) row.subnet = subnetInput(input.subnet);
      await this.assertFree(manager, row.subnet, row.netflow_endpoint_id, id);
      return manager.save(row);
    });
    this.changes.emit();
    return saved as E;
  }

  async delete(id: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.remove(await findOrNotFound(manager, this.entity, this.typeName, id));
    });
    this.changes.emit();
  }

  /**
   * An allowed subnet picks the endpoint for an exporter, so one subnet on two endpoints would be
   * ambiguous; a whitelist subnet is listed once per endpoint.
   */
  private async assertFree(manager: EntityManager, subnet: string, endpointId: number, selfId: number | null): Promise<void> {
    const where = this.typeName === 'NetflowAllowedSubnet' ? { subnet } : { subnet, netflow_endpoint_id: endpointId };
    const rows = await manager.find(this.entity, { where });
    const other = rows.find((r) => r.id !== selfId);
    if (other) throw conflict(`${subnet} is already a ${this.typeName} (id ${other.id}, endpoint ${other.netflow_endpoint_id})`);
  }
}

export interface NetflowServices {
  netflowEndpoints: NetflowEndpointService;
  netflowAllowedSubnets: NetflowSubnetService<NetflowAllowedSubnet>;
  netflowWhitelists: NetflowSubnetService<NetflowWhitelist>;
}

export function createNetflowServices(dataSource: DataSource): NetflowServices {
  const changes = new Changes();
  return {
    netflowEndpoints: new NetflowEndpointService(dataSource, changes),
    netflowAllowedSubnets: new NetflowSubnetService<NetflowAllowedSubnet>(dataSource, changes, NetflowAllowedSubnet, 'NetflowAllowedSubnet', NETFLOW_ALLOWED_SUBNET_LIST),
    netflowWhitelists: new NetflowSubnetService<NetflowWhitelist>(dataSource, changes, NetflowWhitelist, 'NetflowWhitelist', NETFLOW_WHITELIST_LIST),
  };
}
