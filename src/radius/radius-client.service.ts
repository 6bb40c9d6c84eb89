import { DataSource, EntityManager } from 'typeorm';
import { RadiusClient } from '../db/entities';
import { findPage, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';
import { badInput, conflict } from '../errors';
import { findOrNotFound, requiredName, subnetInput } from '../accounts/service-support';
import { sqlState, UNIQUE_VIOLATION } from '../db/sql-errors';

/** `secret` is deliberately absent: it can be neither filtered, sorted nor searched. */
export const RADIUS_CLIENT_LIST: ListSpec = {
  entity: 'RadiusClient',
  columns: { ...BASE_COLUMNS, name: 'string', subnet: 'ip' },
  generalSearch: ['name', 'subnet'],
};

export interface CreateRadiusClientInput {
  name: string;
  subnet: string;
  secret: string;
}

export interface UpdateRadiusClientInput {
  name?: string | null;
  subnet?: string | null;
  secret?: string | null;
}

/**
 * The NASes allowed to send RADIUS accounting (an extension; Sonar configures these in its
 * own FreeRADIUS). The shared secret is write-only: stored for the accounting server, never
 * selected for the API. The accounting server reloads the list periodically.
 */
export class RadiusClientService {
  constructor(private readonly dataSource: DataSource) {}

  list(query: ListQuery): Promise<Page<RadiusClient>> {
    return findPage(this.dataSource.getRepository(RadiusClient).createQueryBuilder('radius_client'), RADIUS_CLIENT_LIST, query);
  }

  async create(input: CreateRadiusClientInput): Promise<RadiusClient> {
    const client = this.dataSource.manager.create(RadiusClient, {
      name: requiredName(input.name),
      subnet: subnetInput(input.subnet),
      secret: secretOf(input.secret),
    });
    const saved = await this.write(async (manager) => {
      await this.checkSubnetFree(manager, client.subnet, null);
      return manager.save(client);
    });
    return withoutSecret(saved);
  }

  async update(id: number, input: UpdateRadiusClientInput): Promise<RadiusClient> {
    const saved = await this.write(async (manager) => {
      const client = await findOrNotFound(manager, RadiusClient, 'RadiusClient', id);
      if (input.name !== undefined && input.name !== null) client.name = requiredName(input.name);
      if (input.subnet !== undefined && input.subnet !== null) {
        client.subnet = subnetInput(input.subnet);
        await this.checkSubnetFree(manager, client.subnet, id);
      }
      if (input.secret !== undefined && input.secret !== null) client.secret = secretOf(input.secret);
      return manager.save(client);
    });
    return withoutSecret(saved);
  }

  async delete(id: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const client = await findOrNotFound(manager, RadiusClient, 'RadiusClient', id);
      await manager.remove(client);
    });
  }

  private async checkSubnetFree(manager: EntityManager, subnet: string, self: number | null): Promise<void> {
    const holder = await manager.findOneBy(RadiusClient, { subnet });
    if (holder && holder.id !== self) throw conflict(`subnet ${subnet} is already used by RadiusClient ${holder.id} (${holder.name})`);
  }

  private async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw conflict('another RadiusClient already has this subnet');
      throw error;
    }
  }
}

/** RFC 2865: the secret must not be empty; the authenticator uses its bytes as UTF-8. */
function secretOf(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw badInput('secret must not be empty');
  if (Buffer.byteLength(value) > 256) throw badInput('secret must be at most 256 bytes');
  return value;
}

function withoutSecret(client: RadiusClient): RadiusClient {
  delete (client as Partial<RadiusClient>).secret;
  return client;
}
