import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Raw (non-entity) tables of the appliance pollers, written only inside the transaction that
 * also writes the ledger, so crediting and checkpointing are atomic.
 *
 * - appliance_checkpoints: one row per polled source ('preseem', 'saisei:<device id>'), locked
 *   FOR UPDATE while a batch is credited; the last interval end it credited and running counts.
 * - appliance_credited_ranges: per source and series (subscriber key), the coalesced time ranges
 *   [start_ms, end_ms) already credited: the per-(series, interval) idempotency record.
 */
export class ApplianceCheckpoints1795646216688 implements MigrationInterface {
  name = 'ApplianceCheckpoints1795646216688';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "appliance_checkpoints" (
        "source_key" text PRIMARY KEY,
        "last_interval_end_ms" int8,
        "intervals_credited" int8 NOT NULL DEFAULT 0,
        "records_unattributed" int8 NOT NULL DEFAULT 0,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(`
      CREATE TABLE "appliance_credited_ranges" (
        "source_key" text NOT NULL,
        "series" text NOT NULL,
        "start_ms" int8 NOT NULL,
        "end_ms" int8 NOT NULL,
        CONSTRAINT "appliance_credited_ranges_pk" PRIMARY KEY ("source_key", "series", "start_ms"),
        CONSTRAINT "appliance_credited_ranges_order" CHECK ("end_ms" > "start_ms")
      )
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "appliance_credited_ranges"`);
    await queryRunner.query(`DROP TABLE "appliance_checkpoints"`);
  }
}
