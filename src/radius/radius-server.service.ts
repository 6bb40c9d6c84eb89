import type { DataSource } from 'typeorm';
import { findOrNotFound, requiredName } from '../accounts/service-support';
import { resolvePatch } from '../accounts/patch';
import { RadiusServer, RadiusServerType } from '../db/entities/radius-server.entity';
import { findPage, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';
import { badInput, notFound } from '../errors';
import { normalizeAddress } from '../net/ip';

/** The credentials are deliberately absent: they can be neither filtered, sorted nor searched. */
export const RADIUS_SERVER_LIST: ListSpec = {
  entity: 'RadiusServer',
  columns: {
    ...BASE_COLUMNS,
    name: 'string',
    type: 'string',
    enabled: 'boolean',
    ip_address: 'ip',
    collect_bandwidth: 'boolean',
    send_change_auth_on_delinquency: 'boolean',
    send_change_auth_on_service_change: 'boolean',
    send_change_auth_on_status_change: 'boolean',
    status: 'string',
    status_message: 'string',
    last_synchronized: 'datetime',
  },
  generalSearch: ['name', 'ip_address', 'status_message'],
};

export const RADIUS_SERVER_TYPES: readonly RadiusServerType[] = ['FREERADIUS_MYSQL', 'FREERADIUS_POSTGRESQL'];

/** The database port each type's engine listens on unless a port credential says otherwise. */
export const DEFAULT_DATABASE_PORT: Record<RadiusServerType, number> = { FREERADIUS_MYSQL: 3306, FREERADIUS_POSTGRESQL: 5432 };

/** The credential columns, and for each type the name Sonar's RadiusServerAuthCredential gives it. */
type CredentialColumn = 'database_port' | 'database_name' | 'database_username' | 'database_password' | 'coa_port';
const CREDENTIAL_SUFFIXES: Record<string, CredentialColumn> = {
  DATABASE_PORT: 'database_port',
  DATABASE_NAME: 'database_name',
  DATABASE_USERNAME: 'database_username',
  DATABASE_PASSWORD: 'database_password',
  COA_PORT: 'coa_port',
};

/** Sonar's `{credential, value}`: credential is `<type>_<suffix>` (FREERADIUS_MYSQL_DATABASE_NAME, ...). */
export interface RadiusServerCredentialInput {
  credential: string;
  value: string;
}

export interface CreateRadiusServerInput {
  name?: string | null;
  type?: RadiusServerType | null;
  enabled?: boolean | null;
  ip_address?: string | null;
  radius_server_credentials?: Array<RadiusServerCredentialInput | null> | null;
  collect_bandwidth?: boolean | null;
  send_change_auth_on_delinquency?: boolean | null;
  send_change_auth_on_service_change?: boolean | null;
  send_change_auth_on_status_change?: boolean | null;
  /** Sonar's create input calls the CoA secret `reply`. */
  reply?: string | null;
}

export interface UpdateRadiusServerInput {
  name?: string | null;
  enabled?: boolean | null;
  ip_address?: string | null;
  radius_server_credentials?: Array<RadiusServerCredentialInput | null> | null;
  collect_bandwidth?: boolean | null;
  send_change_auth_on_delinquency?: boolean | null;
  send_change_auth_on_service_change?: boolean | null;
  send_change_auth_on_status_change?: boolean | null;
  coa_secret?: string | null;
  unset_coa_secret?: boolean | null;
}

/** A server with its database password: for the radacct importer only. */
export type RadiusServerWithSecrets = RadiusServer & { database_password: string | null };

/** What one import did to a server's status: UP when it succeeded, DOWN and why when it failed. */
export type RadiusServerOutcome = { status: 'UP'; at: Date } | { status: 'DOWN'; message: string };

/**
 * Sonar's RadiusServer: the FreeRADIUS servers whose radacct is imported (every enabled one with
 * collect_bandwidth). Credentials are write-only: given as Sonar's list of
 * `{credential, value}`, stored in columns, never returned by the API.
 */
export class RadiusServerService {
  constructor(private readonly dataSource: DataSource) {}

  list(query: ListQuery): Promise<Page<RadiusServer>> {
    return findPage(this.dataSource.getRepository(RadiusServer).createQueryBuilder('radius_server'), RADIUS_SERVER_LIST, query);
  }

  async get(id: number): Promise<RadiusServer> {
    return findOrNotFound(this.dataSource.manager, RadiusServer, 'RadiusServer', id);
  }

  async create(input: CreateRadiusServerInput): Promise<RadiusServer> {
    const type = input.type;
    if (!type || !RADIUS_SERVER_TYPES.includes(type)) throw badInput(`type must be one of ${RADIUS_SERVER_TYPES.join(', ')}`);
    if (!Array.isArray(input.radius_server_credentials)) throw badInput('radius_server_credentials is required');
    const repo = this.dataSource.getRepository(RadiusServer);
    const server = repo.create({
      name: requiredName(input.name),
      type,
      ip_address: addressInput(input.ip_address),
      enabled: input.enabled ?? true,
      collect_bandwidth: input.collect_bandwidth ?? false,
      send_change_auth_on_delinquency: input.send_change_auth_on_delinquency ?? false,
      send_change_auth_on_service_change: input.send_change_auth_on_service_change ?? false,
      send_change_auth_on_status_change: input.send_change_auth_on_status_change ?? false,
      coa_secret: input.reply || null,
      database_port: null,
      database_name: null,
      database_username: null,
      database_password: null,
      coa_port: null,
      status: null,
      status_message: null,
      last_synchronized: null,
    });
    applyCredentials(server, input.radius_server_credentials);
    const missing = (['database_name', 'database_username'] as const).filter((column) => server[column] === null);
    if (missing.length) {
      throw badInput(`radius_server_credentials must include ${missing.map((column) => credentialName(type, column)).join(' and ')}`);
    }
    const saved = await repo.save(server);
    return this.get(saved.id);
  }

  /** Sonar's update: only the fields sent change; credentials not named in the list keep their values. */
  async update(id: number, input: UpdateRadiusServerInput): Promise<RadiusServer> {
    const { radius_server_credentials: credentials, ip_address, name, ...rest } = input;
    const changes = resolvePatch<RadiusServer>('RadiusServer', rest, ['coa_secret']);
    const repo = this.dataSource.getRepository(RadiusServer);
    await this.dataSource.transaction(async (manager) => {
      const server = await findOrNotFound(manager, RadiusServer, 'RadiusServer', id);
      Object.assign(server, changes);
      if (name !== undefined) server.name = requiredName(name);
      if (ip_address !== undefined) server.ip_address = addressInput(ip_address);
      if (credentials !== undefined) {
        if (credentials === null) throw badInput('RadiusServer.radius_server_credentials cannot be null');
        applyCredentials(server, credentials);
      }
      await manager.getRepository(RadiusServer).save(server);
    });
    return repo.findOneByOrFail({ id });
  }

  async delete(id: number): Promise<void> {
    const result = Number.isSafeInteger(id) && id > 0 ? await this.dataSource.getRepository(RadiusServer).delete({ id }) : { affected: 0 };
    if (!result.affected) throw notFound('RadiusServer', id);
  }

  /** The servers to import from (enabled, collect_bandwidth), with their database passwords. */
  async importable(): Promise<RadiusServerWithSecrets[]> {
    return (await this.dataSource
      .getRepository(RadiusServer)
      .createQueryBuilder('s')
      .addSelect('s.database_password')
      .where('s.enabled AND s.collect_bandwidth')
      .orderBy('s.id')
      .getMany()) as RadiusServerWithSecrets[];
  }

  /**
   * Records an import's outcome on the server. A plain UPDATE: status is the importer's, not an
   * edit of the server, so neither updated_at nor _version move (they would on every poll).
   */
  async recordOutcome(id: number, outcome: RadiusServerOutcome): Promise<void> {
    if (outcome.status === 'UP') {
      await this.dataSource.query(`UPDATE radius_servers SET status = 'UP', status_message = NULL, last_synchronized = $2 WHERE id = $1`, [id, outcome.at]);
    } else {
      await this.dataSource.query(`UPDATE radius_servers SET status = 'DOWN', status_message = $2 WHERE id = $1`, [id, outcome.message]);
    }
  }

  /**
   * Makes sure a server with this type, address, port and database exists and imports
   * (RADACCT_DATABASE_URL's deprecated bootstrap): created if missing, with collect_bandwidth;
   * if present, only its username and password are set. Returns the server.
   */
  async ensureImported(spec: { name: string; type: RadiusServerType; ip_address: string; port: number; database: string; username: string; password: string | null }): Promise<RadiusServer> {
    const candidates = await this.dataSource.getRepository(RadiusServer).findBy({ type: spec.type, database_name: spec.database });
    const existing = candidates.find(
      (s) => s.ip_address === addressInput(spec.ip_address) && (s.database_port ?? DEFAULT_DATABASE_PORT[s.type]) === spec.port,
    );
    const credentials = [
      { credential: credentialName(spec.type, 'database_username'), value: spec.username },
      { credential: credentialName(spec.type, 'database_password'), value: spec.password ?? '' },
    ];
    if (existing) return this.update(existing.id, { radius_server_credentials: credentials });
    return this.create({
      name: spec.name,
      type: spec.type,
      ip_address: spec.ip_address,
      collect_bandwidth: true,
      radius_server_credentials: [
        ...credentials,
        { credential: credentialName(spec.type, 'database_name'), value: spec.database },
        { credential: credentialName(spec.type, 'database_port'), value: String(spec.port) },
      ],
    });
  }
}

function credentialName(type: RadiusServerType, column: CredentialColumn): string {
  const suffix = Object.keys(CREDENTIAL_SUFFIXES).find((s) => CREDENTIAL_SUFFIXES[s] === column)!;
  return `${type}_${suffix}`;
}

/**
 * Sets the credentials named in Sonar's list on the server's columns. A credential must belong to
 * the server's type (FREERADIUS_MYSQL_* for FREERADIUS_MYSQL) and appear once. An empty value
 * clears a port (the engine's default) or the password (none).
 */
function applyCredentials(server: RadiusServer, credentials: ReadonlyArray<RadiusServerCredentialInput | null>): void {
  const seen = new Set<string>();
  credentials.forEach((item, i) => {
    if (!item) throw badInput(`radius_server_credentials[${i}] is null`);
    const { credential, value } = item;
    const prefix = `${server.type}_`;
    const column = credential.startsWith(prefix) ? CREDENTIAL_SUFFIXES[credential.slice(prefix.length)] : undefined;
    if (!column) {
      throw badInput(`radius_server_credentials[${i}]: ${credential} is not a credential of a ${server.type} server (${Object.keys(CREDENTIAL_SUFFIXES).map((s) => prefix + s).join(', ')})`);
    }
    if (seen.has(credential)) throw badInput(`radius_server_credentials[${i}]: ${credential} is given twice`);
    seen.add(credential);
    if (typeof value !== 'string') throw badInput(`radius_server_credentials[${i}]: value must be a string`);
    switch (column) {
      case 'database_port':
      case 'coa_port':
        server[column] = portValue(value, `radius_server_credentials[${i}] (${credential})`);
        break;
      case 'database_name':
      case 'database_username':
        if (!value.trim()) throw badInput(`radius_server_credentials[${i}] (${credential}) must not be empty`);
        server[column] = value.trim();
        break;
      case 'database_password':
        server.database_password = value === '' ? null : value;
        break;
    }
  });
}

function portValue(value: string, what: string): number | null {
  if (value.trim() === '') return null;
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(port >= 1 && port <= 65535)) throw badInput(`${what} must be a port number between 1 and 65535, not "${value}"`);
  return port;
}

/** An address from the API in PostgreSQL's canonical text (what the inet column gives back). */
function addressInput(value: unknown): string {
  try {
    return normalizeAddress(value);
  } catch (error) {
    throw badInput(`ip_address: ${(error as Error).message}`);
  }
}
