import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from './base.entity';

/** An API token. Only its SHA-256 is stored: the token itself is shown once, when created. */
@Entity('personal_access_tokens')
export class PersonalAccessToken extends BaseEntity {
  @Column({ type: 'text' })
  name!: string;

  @Index({ unique: true })
  @Column({ type: 'text' })
  token_hash!: string;

  /** The last characters, so a person can tell tokens apart in a list. */
  @Column({ type: 'text' })
  hint!: string;

  @Column({ type: 'timestamptz', nullable: true })
  last_used_at!: Date | null;
}
