import { Foundation1795645753820 } from './1795645753820-foundation';

/** Every migration, in order. TypeORM runs the ones not yet recorded in the `migrations` table. */
export const migrations: Function[] = [Foundation1795645753820];
