import { Column, Entity } from 'typeorm';
import { BaseEntity } from './base.entity';

/**
 * Sonar's `preseem` singleton: one row (id 1) holding the Preseem cloud API settings.
 * `api_key` is write-only in the API and never selected unless asked for explicitly.
 */
@Entity('preseem_settings')
export class PreseemSettings extends BaseEntity {
  @Column({ type: 'boolean', default: false })
  enabled!: boolean;

  @Column({ type: 'text', nullable: true, select: false })
  api_key!: string | null;

  /** e.g. https://api.preseem.com; the usage path is appended (PRESEEM_USAGE_PATH). */
  @Column({ type: 'text', nullable: true })
  base_url!: string | null;

  /** Poll period in seconds: Preseem's usage interval (billing systems poll about every 15 minutes). */
  @Column({ type: 'integer', default: 900 })
  interval!: number;
}
