import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * History and change log for attribution, kept by the database itself.
 *
 * Handwritten on purpose: these are triggers, functions and two tables that no entity maps.
 * Because the triggers run inside the writer's transaction, EVERY writer (GraphQL mutations,
 * RADIUS soft assignments, a DBA with psql) keeps `ip_assignment_histories` and
 * `radius_account_histories` right without knowing about them, and appends to
 * `attribution_changes`, which AttributionService instances in every process poll.
 *
 * - ip_assignments INSERT: open a history row (account resolved through the owner chain:
 *   Account -> itself, InventoryItem -> inventoryitemable_id, RadiusAccount -> account_id;
 *   unique_identifier = the RADIUS username for RadiusAccount owners).
 * - ip_assignments DELETE (or TRUNCATE): close it (removed_datetime = now()). UPDATE of subnet or
 *   owner: close + open.
 * - inventory_items account change, radius_accounts account/username change: close + open the
 *   histories of their assignments. Deleting the owner closes them (nobody to credit any more).
 * - radius_accounts INSERT/UPDATE/DELETE: the same for the username -> account history.
 *
 * Times are now(), the writer's transaction start: one change = one instant on both sides.
 * `attribution_changes.txid` (txid_current()) lets readers catch up without missing a transaction
 * that commits out of id order (see AttributionService.refresh).
 */
export class AttributionHistory1795646520209 implements MigrationInterface {
  name = 'AttributionHistory1795646520209';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "radius_account_histories" (
        "id" bigserial PRIMARY KEY,
        "radius_account_id" bigint NOT NULL,
        "username" text NOT NULL,
        "account_id" bigint NOT NULL,
        "assigned_datetime" timestamptz NOT NULL,
        "removed_datetime" timestamptz
      )
    `);
    await queryRunner.query(`CREATE INDEX "radius_account_histories_username" ON "radius_account_histories" ("username", "assigned_datetime")`);
    await queryRunner.query(`CREATE INDEX "radius_account_histories_open" ON "radius_account_histories" ("radius_account_id") WHERE "removed_datetime" IS NULL`);
    await queryRunner.query(`CREATE INDEX "radius_account_histories_removed" ON "radius_account_histories" ("removed_datetime")`);

    await queryRunner.query(`
      CREATE TABLE "attribution_changes" (
        "id" bigserial PRIMARY KEY,
        "at" timestamptz NOT NULL DEFAULT now(),
        "txid" bigint NOT NULL DEFAULT txid_current(),
        "kind" text NOT NULL CHECK ("kind" IN ('ip', 'username')),
        "history_id" bigint NOT NULL
      )
    `);
    await queryRunner.query(`CREATE INDEX "attribution_changes_txid" ON "attribution_changes" ("txid")`);
    await queryRunner.query(`CREATE INDEX "attribution_changes_at" ON "attribution_changes" ("at")`);

    // Open an IP history row for `p_subnet` held by (p_type, p_id), if the owner resolves to an account.
    await queryRunner.query(`
      CREATE FUNCTION attribution_open_ip(p_subnet cidr, p_type text, p_id bigint) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        v_account bigint;
        v_identifier text;
        v_history bigint;
      BEGIN
        IF p_type = 'Account' THEN
          SELECT id INTO v_account FROM accounts WHERE id = p_id;
        ELSIF p_type = 'InventoryItem' THEN
          SELECT inventoryitemable_id INTO v_account FROM inventory_items WHERE id = p_id;
        ELSIF p_type = 'RadiusAccount' THEN
          SELECT account_id, username INTO v_account, v_identifier FROM radius_accounts WHERE id = p_id;
        END IF;
        IF v_account IS NULL THEN
          RETURN;
        END IF;
        INSERT INTO ip_assignment_histories (subnet, account_id, assigned_datetime, unique_identifier)
        VALUES (p_subnet, v_account, now(), v_identifier)
        RETURNING id INTO v_history;
        INSERT INTO attribution_changes (kind, history_id) VALUES ('ip', v_history);
      END $$
    `);
    // Close the open IP history row of a subnet (at most one: a subnet has one holder at a time).
    await queryRunner.query(`
      CREATE FUNCTION attribution_close_ip(p_subnet cidr) RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        WITH closed AS (
          UPDATE ip_assignment_histories
             SET removed_datetime = now(), updated_at = now(), version = version + 1
           WHERE subnet = p_subnet AND removed_datetime IS NULL
          RETURNING id
        )
        INSERT INTO attribution_changes (kind, history_id) SELECT 'ip', id FROM closed;
      END $$
    `);
    // Close and reopen the histories of every assignment of one owner (its account or username changed).
    await queryRunner.query(`
      CREATE FUNCTION attribution_reopen_owner(p_type text, p_id bigint, p_reopen boolean) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        r record;
      BEGIN
        FOR r IN SELECT subnet FROM ip_assignments WHERE ipassignmentable_type = p_type AND ipassignmentable_id = p_id LOOP
          PERFORM attribution_close_ip(r.subnet);
          IF p_reopen THEN
            PERFORM attribution_open_ip(r.subnet, p_type, p_id);
          END IF;
        END LOOP;
      END $$
    `);

    await queryRunner.query(`
      CREATE FUNCTION attribution_ip_assignments_changed() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE'
           AND NEW.subnet IS NOT DISTINCT FROM OLD.subnet
           AND NEW.ipassignmentable_type IS NOT DISTINCT FROM OLD.ipassignmentable_type
           AND NEW.ipassignmentable_id IS NOT DISTINCT FROM OLD.ipassignmentable_id THEN
          RETURN NULL; -- description, soft, reference: nothing attribution cares about
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          PERFORM attribution_close_ip(OLD.subnet);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          PERFORM attribution_open_ip(NEW.subnet, NEW.ipassignmentable_type, NEW.ipassignmentable_id);
        END IF;
        RETURN NULL;
      END $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER attribution_ip_assignments
      AFTER INSERT OR UPDATE OR DELETE ON ip_assignments
      FOR EACH ROW EXECUTE FUNCTION attribution_ip_assignments_changed()
    `);

    // TRUNCATE fires no row triggers: close every open row in one statement instead.
    await queryRunner.query(`
      CREATE FUNCTION attribution_ip_assignments_truncated() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        WITH closed AS (
          UPDATE ip_assignment_histories
             SET removed_datetime = now(), updated_at = now(), version = version + 1
           WHERE removed_datetime IS NULL
          RETURNING id
        )
        INSERT INTO attribution_changes (kind, history_id) SELECT 'ip', id FROM closed;
        RETURN NULL;
      END $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER attribution_ip_assignments_truncate
      AFTER TRUNCATE ON ip_assignments
      FOR EACH STATEMENT EXECUTE FUNCTION attribution_ip_assignments_truncated()
    `);

    await queryRunner.query(`
      CREATE FUNCTION attribution_inventory_items_changed() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM attribution_reopen_owner('InventoryItem', OLD.id, false);
        ELSIF NEW.inventoryitemable_id IS DISTINCT FROM OLD.inventoryitemable_id THEN
          PERFORM attribution_reopen_owner('InventoryItem', NEW.id, true);
        END IF;
        RETURN NULL;
      END $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER attribution_inventory_items
      AFTER UPDATE OR DELETE ON inventory_items
      FOR EACH ROW EXECUTE FUNCTION attribution_inventory_items_changed()
    `);

    await queryRunner.query(`
      CREATE FUNCTION attribution_open_username(p_radius_account bigint, p_username text, p_account bigint) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        v_history bigint;
      BEGIN
        INSERT INTO radius_account_histories (radius_account_id, username, account_id, assigned_datetime)
        VALUES (p_radius_account, p_username, p_account, now())
        RETURNING id INTO v_history;
        INSERT INTO attribution_changes (kind, history_id) VALUES ('username', v_history);
      END $$
    `);
    await queryRunner.query(`
      CREATE FUNCTION attribution_close_username(p_radius_account bigint) RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        WITH closed AS (
          UPDATE radius_account_histories SET removed_datetime = now()
           WHERE radius_account_id = p_radius_account AND removed_datetime IS NULL
          RETURNING id
        )
        INSERT INTO attribution_changes (kind, history_id) SELECT 'username', id FROM closed;
      END $$
    `);
    await queryRunner.query(`
      CREATE FUNCTION attribution_radius_accounts_changed() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM attribution_open_username(NEW.id, NEW.username, NEW.account_id);
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM attribution_close_username(OLD.id);
          PERFORM attribution_reopen_owner('RadiusAccount', OLD.id, false);
        ELSIF NEW.username IS DISTINCT FROM OLD.username OR NEW.account_id IS DISTINCT FROM OLD.account_id THEN
          PERFORM attribution_close_username(OLD.id);
          PERFORM attribution_open_username(NEW.id, NEW.username, NEW.account_id);
          PERFORM attribution_reopen_owner('RadiusAccount', NEW.id, true);
        END IF;
        RETURN NULL;
      END $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER attribution_radius_accounts
      AFTER INSERT OR UPDATE OR DELETE ON radius_accounts
      FOR EACH ROW EXECUTE FUNCTION attribution_radius_accounts_changed()
    `);

    // Backfill: what exists now is held from now on (earlier history is unknown).
    await queryRunner.query(`
      INSERT INTO ip_assignment_histories (subnet, account_id, assigned_datetime, unique_identifier)
      SELECT a.subnet,
             CASE a.ipassignmentable_type
               WHEN 'Account' THEN acc.id
               WHEN 'InventoryItem' THEN ii.inventoryitemable_id
               WHEN 'RadiusAccount' THEN ra.account_id
             END,
             now(),
             CASE WHEN a.ipassignmentable_type = 'RadiusAccount' THEN ra.username END
        FROM ip_assignments a
        LEFT JOIN accounts acc ON a.ipassignmentable_type = 'Account' AND acc.id = a.ipassignmentable_id
        LEFT JOIN inventory_items ii ON a.ipassignmentable_type = 'InventoryItem' AND ii.id = a.ipassignmentable_id
        LEFT JOIN radius_accounts ra ON a.ipassignmentable_type = 'RadiusAccount' AND ra.id = a.ipassignmentable_id
       WHERE NOT EXISTS (SELECT 1 FROM ip_assignment_histories h WHERE h.subnet = a.subnet AND h.removed_datetime IS NULL)
         AND COALESCE(acc.id, ii.inventoryitemable_id, ra.account_id) IS NOT NULL
    `);
    await queryRunner.query(`
      INSERT INTO radius_account_histories (radius_account_id, username, account_id, assigned_datetime)
      SELECT id, username, account_id, now() FROM radius_accounts
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS attribution_radius_accounts ON radius_accounts`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS attribution_inventory_items ON inventory_items`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS attribution_ip_assignments_truncate ON ip_assignments`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS attribution_ip_assignments ON ip_assignments`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS attribution_ip_assignments_truncated()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS attribution_radius_accounts_changed()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS attribution_close_username(bigint)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS attribution_open_username(bigint, text, bigint)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS attribution_inventory_items_changed()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS attribution_ip_assignments_changed()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS attribution_reopen_owner(text, bigint, boolean)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS attribution_close_ip(cidr)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS attribution_open_ip(cidr, text, bigint)`);
    await queryRunner.query(`DROP TABLE IF EXISTS "attribution_changes"`);
    await queryRunner.query(`DROP TABLE IF EXISTS "radius_account_histories"`);
  }
}
