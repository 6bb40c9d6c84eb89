import { Column, Entity, Index, JoinColumn, ManyToOne, Relation } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';
import { RadiusServer } from './radius-server.entity';

/**
 * What the radacct importer already credited for one FreeRADIUS session (`acctuniqueid`):
 * radacct keeps only the latest cumulative snapshot, so each read credits the difference.
 * Keyed by the session alone, not by server: FreeRADIUS derives acctuniqueid from the session's
 * own attributes, so a session that two servers both logged (a NAS sending accounting to both),
 * or a server deleted and created again, is still credited once.
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

  /** The server whose radacct last credited it: that server reads it again until it is closed. */
  @Index()
  @Column({ type: 'bigint', nullable: true, transformer: bigintId })
  radius_server_id!: number | null;

  @ManyToOne(() => RadiusServer, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'radius_server_id' })
  radius_server?: Relation<RadiusServer>;
}

/** How far the importer has read one RadiusServer's radacct (re-reads are harmless: crediting is idempotent). */
@Entity('radacct_import_checkpoints')
export class RadacctImportCheckpoint extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'bigint', transformer: bigintId })
  radius_server_id!: number;

  @ManyToOne(() => RadiusServer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'radius_server_id' })
  radius_server?: Relation<RadiusServer>;

  /**
   * The database the checkpoint counts in (engine://host:port/name): radacctid numbers belong to
   * one database, so a server pointed at another one starts again from 0.
   */
  @Column({ type: 'text' })
  endpoint!: string;

  @Column({ type: 'timestamptz', nullable: true })
  last_poll_at!: Date | null;

  /** Highest radacctid read: rows above it are sessions started since. */
  @Column({ type: 'bigint', default: 0 })
  last_radacctid!: string;

  @Column({ type: 'bigint', default: 0 })
  rows_imported!: string;
}
