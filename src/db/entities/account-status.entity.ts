import { Column, Entity } from 'typeorm';
import { BaseEntity } from './base.entity';

@Entity('account_statuses')
export class AccountStatus extends BaseEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'boolean', default: true })
  activates_account!: boolean;
}
