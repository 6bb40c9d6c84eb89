import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';

export type IpAssignableType = 'Account' | 'InventoryItem' | 'RadiusAccount';

/**
 * An address or subnet held by an account, one of its devices or one of its RADIUS logins.
 * `subnet` is a PostgreSQL cidr, so the database itself rejects host bits and compares prefixes.
 */
@Entity('ip_assignments')
@Index(['ipassignmentable_type', 'ipassignmentable_id'])
export class IpAssignment extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'cidr' })
  subnet!: string;

  @Column({ type: 'text' })
  ipassignmentable_type!: IpAssignableType;

  @Column({ type: 'bigint', transformer: bigintId })
  ipassignmentable_id!: number;

  /** Learned automatically (e.g. from a RADIUS session) rather than entered by a person. */
  @Column({ type: 'boolean', default: false })
  soft!: boolean;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text', nullable: true })
  reference!: string | null;
}
