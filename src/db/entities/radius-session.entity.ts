import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';

/**
 * One RADIUS accounting session (Sonar's RadiusSessionHistory), keyed by NAS + Acct-Session-Id.
 * `input_octets_total` / `output_octets_total` are the last cumulative totals applied: they are
 * the idempotency state (a repeat of the same totals credits nothing). numeric(20): gigawords
 * make totals up to 2^64. `in_bytes` (download) / `out_bytes` (upload) are what was credited.
 */
@Entity('radius_sessions')
export class RadiusSession extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'text' })
  session_key!: string;

  @Index()
  @Column({ type: 'inet' })
  nas_ip_address!: string;

  @Column({ type: 'text' })
  account_session_id!: string;

  @Index()
  @Column({ type: 'text', nullable: true })
  username!: string | null;

  @Index()
  @Column({ type: 'bigint', nullable: true, transformer: bigintId })
  account_id!: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintId })
  radius_account_id!: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  start!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  end!: Date | null;

  @Column({ type: 'timestamptz' })
  last_event_at!: Date;

  @Column({ type: 'text', nullable: true })
  terminate_reason!: string | null;

  @Column({ type: 'inet', nullable: true })
  ip_address!: string | null;

  @Column({ type: 'cidr', nullable: true })
  ipv6_prefix!: string | null;

  @Column({ type: 'cidr', nullable: true })
  delegated_ipv6_prefix!: string | null;

  @Column({ type: 'numeric', precision: 20, scale: 0, default: 0 })
  input_octets_total!: string;

  @Column({ type: 'numeric', precision: 20, scale: 0, default: 0 })
  output_octets_total!: string;

  @Column({ type: 'numeric', precision: 20, scale: 0, default: 0 })
  in_bytes!: string;

  @Column({ type: 'numeric', precision: 20, scale: 0, default: 0 })
  out_bytes!: string;
}
