import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';

/**
 * A ledger row the buffered writer could not write because of the row itself (the database
 * refused its data: a number out of range, a constraint), set aside so that every other row is
 * written. Nothing here is in the ledger. `created_at` is when it was quarantined; `time` is the
 * minute its bytes were aggregated at. Bytes are `numeric`: a row here may hold more than bigint,
 * which is often why it is here; text columns, not inet, for the same reason.
 */
@Entity('usage_quarantine')
export class UsageQuarantine extends BaseEntity {
  /** 'usage' (credited to an account) or 'unattributed' (kept by address). */
  @Column({ type: 'text' })
  kind!: string;

  @Index()
  @Column({ type: 'bigint', nullable: true, transformer: bigintId })
  account_id!: number | null;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ type: 'text' })
  data_source_parent!: string;

  @Column({ type: 'text' })
  data_source_identifier!: string;

  @Column({ type: 'timestamptz', nullable: true })
  time!: Date | null;

  @Column({ type: 'numeric' })
  in_bytes!: string;

  @Column({ type: 'numeric' })
  out_bytes!: string;

  /** What the database said about the row, as it said it. */
  @Column({ type: 'text' })
  reason!: string;

  /** Its SQLSTATE (e.g. 22003 numeric_value_out_of_range), when it gave one. */
  @Column({ type: 'text', nullable: true })
  sql_state!: string | null;
}
