import { Column, Entity, Index, JoinColumn, ManyToOne, Relation } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';
import { Account } from './account.entity';

@Entity('radius_accounts')
export class RadiusAccount extends BaseEntity {
  @Index()
  @Column({ type: 'bigint', transformer: bigintId })
  account_id!: number;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id' })
  account?: Relation<Account>;

  @Index({ unique: true })
  @Column({ type: 'text' })
  username!: string;

  /** Write-only: stored as given for the RADIUS server that may read it, never returned by the API. */
  @Column({ type: 'text', nullable: true, select: false })
  password!: string | null;
}
