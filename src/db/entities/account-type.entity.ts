import { Column, Entity } from 'typeorm';
import { BaseEntity } from './base.entity';

@Entity('account_types')
export class AccountType extends BaseEntity {
  @Column({ type: 'text' })
  name!: string;
}
