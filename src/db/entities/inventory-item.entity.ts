import { Column, Entity, Index, JoinColumn, ManyToOne, Relation } from 'typeorm';
import { BaseEntity, bigintId } from './base.entity';
import { Account } from './account.entity';

/** A customer device. Sonar hangs CPE off the account's Address; we collapse Address into Account. */
@Entity('inventory_items')
export class InventoryItem extends BaseEntity {
  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'text', nullable: true })
  mac_address!: string | null;

  @Column({ type: 'text', nullable: true })
  serial_number!: string | null;

  @Column({ type: 'text', default: 'Account' })
  inventoryitemable_type!: 'Account';

  @Index()
  @Column({ type: 'bigint', transformer: bigintId })
  inventoryitemable_id!: number;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'inventoryitemable_id' })
  account?: Relation<Account>;
}
