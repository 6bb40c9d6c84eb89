import { Check, Column, Entity, Index, JoinColumn, ManyToOne, Relation } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';
import { AccountStatus } from './account-status.entity';
import { AccountType } from './account-type.entity';

@Entity('accounts')
@Check('accounts_bill_day_range', 'bill_day BETWEEN 1 AND 28')
export class Account extends BaseEntity {
  @Column({ type: 'text' })
  name!: string;

  @Index()
  @Column({ type: 'bigint', transformer: bigintId })
  account_status_id!: number;

  @ManyToOne(() => AccountStatus, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_status_id' })
  account_status?: Relation<AccountStatus>;

  @Index()
  @Column({ type: 'bigint', transformer: bigintId })
  account_type_id!: number;

  @ManyToOne(() => AccountType, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_type_id' })
  account_type?: Relation<AccountType>;

  @Column({ type: 'date', nullable: true })
  activation_date!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  archived_at!: Date | null;

  /** Day of month (1..28) a billing period starts, in the service time zone. */
  @Column({ type: 'smallint', default: 1 })
  bill_day!: number;

  /** The usage-based billing policy (cap, free periods) that applies, if any. */
  @Index()
  @Column({ type: 'bigint', nullable: true, transformer: bigintId })
  usage_based_billing_policy_id!: number | null;
}
