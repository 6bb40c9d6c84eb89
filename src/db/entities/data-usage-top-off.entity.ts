import { Check, Column, Entity, Index, JoinColumn, ManyToOne, Relation } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';
import { Account } from './account.entity';

/** Sonar's DataUsageTopOff: extra bytes for the billing period the top-off was created in. */
@Entity('data_usage_top_offs')
@Index(['account_id', 'created_at'])
@Check('data_usage_top_offs_amount_positive', 'amount_in_bytes > 0')
export class DataUsageTopOff extends BaseEntity {
  @Column({ type: 'bigint', transformer: bigintId })
  account_id!: number;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Relation<Account>;

  /** Exact 64-bit: kept as the decimal string the drivers return. */
  @Column({ type: 'bigint' })
  amount_in_bytes!: string;
}
