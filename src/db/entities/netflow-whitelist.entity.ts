import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';

/** With whitelist_mode on, only flows to or from these subnets count for the endpoint. */
@Entity('netflow_whitelists')
export class NetflowWhitelist extends BaseEntity {
  @Index()
  @Column({ type: 'bigint', transformer: bigintId })
  netflow_endpoint_id!: number;

  @Column({ type: 'cidr' })
  subnet!: string;
}
