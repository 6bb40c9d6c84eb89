import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SaiSei REST system name (/rest/<system_name>/configurations/...) belongs to each device:
 * one service may poll appliances named differently. Null keeps the service default
 * (SAISEI_SYSTEM_NAME, stm), so devices created before this column keep being polled as they were.
 */
export class InlineDeviceSystemName1796200000000 implements MigrationInterface {
  name = 'InlineDeviceSystemName1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inline_devices" ADD "system_name" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inline_devices" DROP COLUMN "system_name"`);
  }
}
