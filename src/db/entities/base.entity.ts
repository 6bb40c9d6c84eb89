import { PrimaryGeneratedColumnIdentityOptions } from 'typeorm/decorator/options/PrimaryGeneratedColumnIdentityOptions';
import { CreateDateColumn, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn, ValueTransformer } from 'typeorm';

/** bigint ids stay exact as numbers up to 2^53, far beyond any row count this service will see. */
export const bigintId: ValueTransformer = {
  to: (value?: number | null) => value,
  from: (value?: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

/** The columns every Sonar entity has: id, created_at, updated_at and a version that changes on every update. */
export abstract class BaseEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'BY DEFAULT', transformer: bigintId } as PrimaryGeneratedColumnIdentityOptions)
  id!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;

  @VersionColumn({ default: 1 })
  version!: number;
}
