import { Column, Entity } from 'typeorm';
import { BaseEntity } from './base.entity';

/**
 * Sonar's NetflowEndpoint: a group of exporters (by NetflowAllowedSubnet) whose flows count,
 * optionally restricted to traffic to or from NetflowWhitelist subnets (whitelist_mode).
 * `sampling_rate` (extension) overrides the rate the exporters announce: 1-in-N.
 */
@Entity('netflow_endpoints')
export class NetflowEndpoint extends BaseEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'boolean', default: false })
  whitelist_mode!: boolean;

  @Column({ type: 'integer', nullable: true })
  sampling_rate!: number | null;
}
