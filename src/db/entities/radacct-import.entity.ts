import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from './base.entity';

/**
 * What the radacct importer already credited for one FreeRADIUS session (`acctuniqueid`):
 * radacct keeps only the latest cumulative snapshot, so each read credits the difference.
 */
@Entity('radacct_import_sessions')
export class RadacctImportSession extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'text' })
  acctuniqueid!: string;

  @Column({ type: 'numeric', precision: 20, scale: 0, default: 0 })
  credited_input_octets!: string;

  @Column({ type: 'numeric', precision: 20, scale: 0, default: 0 })
  credited_output_octets!: string;

  @Column({ type: 'boolean', default: false })
  closed!: boolean;
}

/** How far the importer has read one radacct source (re-reads are harmless: crediting is idempotent). */
@Entity('radacct_import_checkpoints')
export class RadacctImportCheckpoint extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'timestamptz', nullable: true })
  last_poll_at!: Date | null;

  /** Highest radacctid read: rows above it are sessions started since. */
  @Column({ type: 'bigint', default: 0 })
  last_radacctid!: string;

  @Column({ type: 'bigint', default: 0 })
  rows_imported!: string;
}
