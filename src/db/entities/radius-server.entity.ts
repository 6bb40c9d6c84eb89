import { Column, Entity } from 'typeorm';
import { BaseEntity } from './base.entity';

/** Sonar's RadiusServerType, plus FREERADIUS_POSTGRESQL (rlm_sql on PostgreSQL) for the same radacct import. */
export type RadiusServerType = 'FREERADIUS_MYSQL' | 'FREERADIUS_POSTGRESQL';
/** Sonar's ProvisioningDeviceStatus. */
export type RadiusServerStatus = 'UP' | 'DOWN';

/**
 * Sonar's RadiusServer: a FreeRADIUS whose SQL database (at `ip_address`, with the database
 * credentials below) holds the `radacct` table. Every enabled server with `collect_bandwidth` is
 * imported. The credentials are write-only in the API; the secrets are not even selected unless
 * asked for. `status`, `status_message` and `last_synchronized` are written by the importer.
 * The change-of-authorization settings are kept as Sonar clients send them; nothing sends CoA.
 */
@Entity('radius_servers')
export class RadiusServer extends BaseEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  type!: RadiusServerType;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'inet' })
  ip_address!: string;

  @Column({ type: 'boolean', default: false })
  collect_bandwidth!: boolean;

  @Column({ type: 'boolean', default: false })
  send_change_auth_on_delinquency!: boolean;

  @Column({ type: 'boolean', default: false })
  send_change_auth_on_service_change!: boolean;

  @Column({ type: 'boolean', default: false })
  send_change_auth_on_status_change!: boolean;

  @Column({ type: 'text', nullable: true, select: false })
  coa_secret!: string | null;

  /** The database's TCP port; null: the engine's default (3306, 5432). */
  @Column({ type: 'integer', nullable: true })
  database_port!: number | null;

  @Column({ type: 'text', nullable: true })
  database_name!: string | null;

  @Column({ type: 'text', nullable: true })
  database_username!: string | null;

  @Column({ type: 'text', nullable: true, select: false })
  database_password!: string | null;

  @Column({ type: 'integer', nullable: true })
  coa_port!: number | null;

  /** The last import's outcome: UP after a successful one, DOWN after a failed one; null before the first. */
  @Column({ type: 'text', nullable: true })
  status!: RadiusServerStatus | null;

  /** Why the server is DOWN (the last import's error); null when UP. */
  @Column({ type: 'text', nullable: true })
  status_message!: string | null;

  /** When the last import succeeded. */
  @Column({ type: 'timestamptz', nullable: true })
  last_synchronized!: Date | null;
}
