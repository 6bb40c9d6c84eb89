import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from './base.entity';

/**
 * A NAS allowed to send RADIUS accounting: requests whose source address lies in `subnet`
 * are checked with `secret` (longest prefix wins). The secret is write-only in the API.
 */
@Entity('radius_clients')
export class RadiusClient extends BaseEntity {
  @Column({ type: 'text' })
  name!: string;

  @Index({ unique: true })
  @Column({ type: 'cidr' })
  subnet!: string;

  @Column({ type: 'text', select: false })
  secret!: string;
}
