import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Token scopes (read < write < admin). Every token made before scopes existed could do
 * everything, so existing tokens become admin; the column then has no default, so a token
 * is never stored without the scope its creator chose.
 */
export class TokenScopes1796400000000 implements MigrationInterface {
  name = 'TokenScopes1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE personal_access_tokens ADD COLUMN scope text NOT NULL DEFAULT 'admin'`);
    await queryRunner.query(`ALTER TABLE personal_access_tokens ALTER COLUMN scope DROP DEFAULT`);
    await queryRunner.query(
      `ALTER TABLE personal_access_tokens ADD CONSTRAINT personal_access_tokens_scope CHECK (scope IN ('read', 'write', 'admin'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE personal_access_tokens DROP COLUMN scope`);
  }
}
