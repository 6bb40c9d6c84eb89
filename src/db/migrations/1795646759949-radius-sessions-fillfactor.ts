import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every Interim-Update rewrites its session row. Free space on each page lets PostgreSQL
 * update in place (HOT: no index writes), which is most of the cost of a hot session table.
 */
export class RadiusSessionsFillfactor1795646759949 implements MigrationInterface {
  name = 'RadiusSessionsFillfactor1795646759949';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "radius_sessions" SET (fillfactor = 50)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "radius_sessions" RESET (fillfactor)`);
  }
}
