import type { DataSource } from 'typeorm';
import { resolvePatch } from '../accounts/patch';
import { findOrNotFound } from '../accounts/service-support';
import { InlineDevice, InlineDeviceType } from '../db/entities/inline-device.entity';
import { findPage, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';
import { badInput, notFound } from '../errors';
import { isStrictAddress } from '../net/ip';

/** `password` is deliberately absent: it can be neither filtered, sorted nor searched. */
export const INLINE_DEVICE_LIST: ListSpec = {
  entity: 'InlineDevice',
  columns: {
    ...BASE_COLUMNS,
    name: 'string',
    type: 'string',
    ip_address: 'ip',
    port: 'integer',
    username: 'string',
    enabled: 'boolean',
    use_tls: 'boolean',
    system_name: 'string',
  },
  generalSearch: ['name', 'username'],
};

export const INLINE_DEVICE_TYPES: readonly InlineDeviceType[] = ['PACKETLOGIC', 'SAISEI'];

export interface InlineDeviceInput {
  name?: string;
  type?: InlineDeviceType;
  ip_address?: string;
  port?: number | null;
  username?: string | null;
  /** Write-only. */
  password?: string | null;
  enabled?: boolean;
  use_tls?: boolean;
  /** SAISEI's REST system name; null or '': the service default (SAISEI_SYSTEM_NAME). */
  system_name?: string | null;
}

export interface UpdateInlineDeviceInput extends InlineDeviceInput {
  unset_port?: boolean | null;
  unset_username?: boolean | null;
  unset_password?: boolean | null;
  unset_system_name?: boolean | null;
}

/** What FlowCommand accepts as a system name in its REST paths (stm, top, a host name). */
const SYSTEM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** A device with its secret, for the pollers only. */
export type InlineDeviceWithSecret = InlineDevice & { password: string | null };

/** Sonar's InlineDevice: create, update, delete; the password is write-only. */
export class InlineDeviceService {
  constructor(private readonly dataSource: DataSource) {}

  async list(query: ListQuery): Promise<Page<InlineDevice>> {
    return findPage(this.dataSource.getRepository(InlineDevice).createQueryBuilder('inline_device'), INLINE_DEVICE_LIST, query);
  }

  async create(input: InlineDeviceInput): Promise<InlineDevice> {
    if (input.name === undefined || input.type === undefined || input.ip_address === undefined) {
      throw badInput('name, type and ip_address are required');
    }
    const device = this.dataSource
      .getRepository(InlineDevice)
      .create({ port: null, username: null, password: null, enabled: true, use_tls: false, system_name: null });
    applyInput(device, input);
    const saved = await this.dataSource.getRepository(InlineDevice).save(device);
    return this.get(saved.id);
  }

  /** Sonar's update: only the fields sent change; `unset_port` / `unset_username` / `unset_password` / `unset_system_name` clear them. */
  async update(id: number, input: UpdateInlineDeviceInput): Promise<InlineDevice> {
    const changes = resolvePatch<InlineDevice>('InlineDevice', { ...input }, ['port', 'username', 'password', 'system_name']);
    const repo = this.dataSource.getRepository(InlineDevice);
    const device = await findOrNotFound(this.dataSource.manager, InlineDevice, 'InlineDevice', id);
    applyInput(device, changes as InlineDeviceInput);
    await repo.save(device);
    return this.get(id);
  }

  async delete(id: number): Promise<void> {
    const result = Number.isSafeInteger(id) ? await this.dataSource.getRepository(InlineDevice).delete({ id }) : { affected: 0 };
    if (!result.affected) throw notFound('InlineDevice', id);
  }

  async get(id: number): Promise<InlineDevice> {
    return findOrNotFound(this.dataSource.manager, InlineDevice, 'InlineDevice', id);
  }

  /** Enabled devices of one type, with their passwords: for the pollers. */
  async enabledWithSecrets(type: InlineDeviceType): Promise<InlineDeviceWithSecret[]> {
    return (await this.dataSource
      .getRepository(InlineDevice)
      .createQueryBuilder('d')
      .addSelect('d.password')
      .where('d.type = :type AND d.enabled', { type })
      .orderBy('d.id')
      .getMany()) as InlineDeviceWithSecret[];
  }
}

function applyInput(device: InlineDevice, input: InlineDeviceInput): void {
  if (input.name !== undefined) {
    const name = (input.name ?? '').trim();
    if (!name) throw badInput('name must not be empty');
    device.name = name;
  }
  if (input.type !== undefined) {
    if (!INLINE_DEVICE_TYPES.includes(input.type)) throw badInput(`type must be one of ${INLINE_DEVICE_TYPES.join(', ')}`);
    device.type = input.type;
  }
  if (input.ip_address !== undefined) {
    const ip = (input.ip_address ?? '').trim();
    if (!isStrictAddress(ip)) throw badInput(`ip_address "${input.ip_address}" is not an IPv4 or IPv6 address`);
    device.ip_address = ip;
  }
  if (input.port !== undefined) {
    if (input.port !== null && (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535)) {
      throw badInput('port must be between 1 and 65535');
    }
    device.port = input.port;
  }
  if (input.username !== undefined) device.username = input.username === '' ? null : input.username;
  if (input.password !== undefined) device.password = input.password === '' ? null : input.password;
  if (input.enabled !== undefined && input.enabled !== null) device.enabled = input.enabled;
  if (input.use_tls !== undefined && input.use_tls !== null) device.use_tls = input.use_tls;
  if (input.system_name !== undefined) {
    const systemName = (input.system_name ?? '').trim();
    if (systemName !== '' && !SYSTEM_NAME.test(systemName)) {
      throw badInput(`system_name "${input.system_name}" is not a SaiSei REST system name (letters, digits, '.', '_', '-'; e.g. stm)`);
    }
    device.system_name = systemName === '' ? null : systemName;
  }
}
