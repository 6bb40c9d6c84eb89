import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';

/** Which exporter addresses may send to a NetflowEndpoint; datagrams from any other address are dropped and counted. */
@Entity('netflow_allowed_subnets')
export class NetflowAllowedSubnet extends BaseEntity {
  @Index()
  @Column({ type: 'bigint', transformer: bigintId })
  netflow_endpoint_id!: number;

  @Column({ type: 'cidr' })
  subnet!: string;
}
