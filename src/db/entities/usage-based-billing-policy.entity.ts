import { Check, Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, Relation } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';

export type CountedDirections = 'BOTH' | 'IN' | 'OUT';

/** Sonar's UsageBasedBillingPolicy: a monthly cap in decimal gigabytes (1 GB = 10^9 bytes). */
@Entity('usage_based_billing_policies')
@Check('usage_based_billing_policies_cap_positive', 'cap_in_gigabytes > 0')
export class UsageBasedBillingPolicy extends BaseEntity {
  @Column({ type: 'text' })
  name!: string;

  /** Exact to the byte: nine decimal places. Comes back as a decimal string. */
  @Column({ type: 'numeric', precision: 30, scale: 9 })
  cap_in_gigabytes!: string;

  /** Which directions count against the cap: both (the default, as Sonar V1 did), download only or upload only. */
  @Column({ type: 'text', default: 'BOTH' })
  counted_directions!: CountedDirections;

  @OneToMany(() => UsageBasedBillingPolicyFreePeriod, (p) => p.policy)
  free_periods?: Relation<UsageBasedBillingPolicyFreePeriod[]>;
}

/**
 * A weekly window whose traffic is free: `day` 0 = Sunday .. 6 = Saturday, minutes since local
 * midnight (service time zone), [start, end). Traffic is classified when it is written.
 */
@Entity('usage_based_billing_policy_free_periods')
@Check('usage_free_periods_day_range', 'day BETWEEN 0 AND 6')
@Check('usage_free_periods_window', 'start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440')
export class UsageBasedBillingPolicyFreePeriod extends BaseEntity {
  @Index()
  @Column({ type: 'bigint', transformer: bigintId })
  usage_based_billing_policy_id!: number;

  @ManyToOne(() => UsageBasedBillingPolicy, (p) => p.free_periods, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'usage_based_billing_policy_id' })
  policy?: Relation<UsageBasedBillingPolicy>;

  @Column({ type: 'smallint' })
  day!: number;

  @Column({ type: 'smallint' })
  start_minute!: number;

  @Column({ type: 'smallint' })
  end_minute!: number;
}
