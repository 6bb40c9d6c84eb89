import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';

/** Who held a subnet, from when to when: late usage is credited to the holder at the time of the traffic. */
@Entity('ip_assignment_histories')
@Index(['subnet', 'assigned_datetime'])
export class IpAssignmentHistory extends BaseEntity {
  @Column({ type: 'cidr' })
  subnet!: string;

  @Index()
  @Column({ type: 'bigint', transformer: bigintId })
  account_id!: number;

  @Column({ type: 'timestamptz' })
  assigned_datetime!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  removed_datetime!: Date | null;

  /** What held the address, e.g. the RADIUS username of a dynamic session. */
  @Column({ type: 'text', nullable: true })
  unique_identifier!: string | null;
}
