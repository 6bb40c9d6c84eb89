import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from './base.entity';

/** An API token. Only its SHA-256 is stored: the token itself is shown once, when created. */
@Entity('personal_access_tokens')
@Check('personal_access_tokens_scope', `scope IN ('read', 'write', 'admin')`)
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

  /** The token's highest scope (src/auth/token-scope.ts): it holds this one and every one below it. */
  @Column({ type: 'text' })
  scope!: 'read' | 'write' | 'admin';
}
