import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every createDataUsages call rewrites the state row of each series it touches, all of a
 * client's series in one transaction. At the default fillfactor the new versions never fit on
 * their page: every update went to another page and wrote the primary key again (no HOT update
 * at all, measured with pg_stat_user_tables), and the table grew to 1 385 pages for 8 000 series.
 * Room for the new versions beside the old ones keeps the updates in place.
 */
export class UsageSeriesFillfactor1795646759952 implements MigrationInterface {
  name = 'UsageSeriesFillfactor1795646759952';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE usage_series SET (fillfactor = 30)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE usage_series RESET (fillfactor)`);
  }
}
