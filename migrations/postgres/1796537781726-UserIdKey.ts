import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UserIdKey1796537781726 implements MigrationInterface {
  name = 'UserIdKey1796537781726';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"users\" ADD \"userIdKey\" character varying(100)");
    // Existing users get their key; of ids equal regardless of case (ADMIN next to admin, stored before the rule) only the first in byte order does, the others keep working without one.
    await queryRunner.query("UPDATE \"users\" SET \"userIdKey\" = lower(\"userId\") WHERE NOT EXISTS (SELECT 1 FROM \"users\" \"other\" WHERE lower(\"other\".\"userId\") = lower(\"users\".\"userId\") AND \"other\".\"userId\" COLLATE \"C\" < \"users\".\"userId\" COLLATE \"C\")");
    await queryRunner.query("CREATE UNIQUE INDEX \"idx_users_user_id_key\" ON \"users\"  (\"userIdKey\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"public\".\"idx_users_user_id_key\"");
    await queryRunner.query("ALTER TABLE \"users\" DROP COLUMN \"userIdKey\"");
  }
}
