import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from './base.entity';

export type InlineDeviceType = 'PACKETLOGIC' | 'SAISEI';

/**
 * Sonar's InlineDevice: a traffic-shaping appliance that reports usage. A PACKETLOGIC device
 * exports IPFIX to the flow collector from `ip_address`; a SAISEI device is polled over REST
 * at `ip_address`:`port` with `username`/`password` (write-only in the API), under its `system_name`.
 */
@Entity('inline_devices')
export class InlineDevice extends BaseEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  type!: InlineDeviceType;

  @Index()
  @Column({ type: 'inet' })
  ip_address!: string;

  @Column({ type: 'integer', nullable: true })
  port!: number | null;

  @Column({ type: 'text', nullable: true })
  username!: string | null;

  @Column({ type: 'text', nullable: true, select: false })
  password!: string | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** SAISEI: https instead of http (FlowCommand serves plain REST on 5000, TLS on 5029). */
  @Column({ type: 'boolean', default: false })
  use_tls!: boolean;

  /**
   * SAISEI: the REST system name in /rest/<system_name>/configurations/running/... (FlowCommand's
   * default is stm). Null: the service default, SAISEI_SYSTEM_NAME. Not in Sonar's InlineDevice.
   */
  @Column({ type: 'text', nullable: true })
  system_name!: string | null;
}
