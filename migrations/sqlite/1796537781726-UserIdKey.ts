import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UserIdKey1796537781726 implements MigrationInterface {
  name = 'UserIdKey1796537781726';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"temporary_users\" (\"userId\" varchar(100) PRIMARY KEY NOT NULL, \"firstName\" varchar(200) NOT NULL DEFAULT (''), \"lastName\" varchar(200) NOT NULL DEFAULT (''), \"emailAddress\" varchar(320) NOT NULL DEFAULT (''), \"passwordHash\" varchar(400), \"status\" varchar(16) NOT NULL DEFAULT ('active'), \"roles\" text NOT NULL DEFAULT ('[]'), \"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"userIdKey\" varchar(100))");
    await queryRunner.query("INSERT INTO \"temporary_users\"(\"userId\", \"firstName\", \"lastName\", \"emailAddress\", \"passwordHash\", \"status\", \"roles\", \"createdAt\") SELECT \"userId\", \"firstName\", \"lastName\", \"emailAddress\", \"passwordHash\", \"status\", \"roles\", \"createdAt\" FROM \"users\"");
    await queryRunner.query("DROP TABLE \"users\"");
    await queryRunner.query("ALTER TABLE \"temporary_users\" RENAME TO \"users\"");
    // Existing users get their key; of ids equal regardless of case (ADMIN next to admin, stored before the rule) only the first in byte order does, the others keep working without one.
    await queryRunner.query("UPDATE \"users\" SET \"userIdKey\" = lower(\"userId\") WHERE NOT EXISTS (SELECT 1 FROM \"users\" \"other\" WHERE lower(\"other\".\"userId\") = lower(\"users\".\"userId\") AND \"other\".\"userId\" < \"users\".\"userId\")");
    await queryRunner.query("CREATE UNIQUE INDEX \"idx_users_user_id_key\" ON \"users\" (\"userIdKey\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"idx_users_user_id_key\"");
    await queryRunner.query("ALTER TABLE \"users\" RENAME TO \"temporary_users\"");
    await queryRunner.query("CREATE TABLE \"users\" (\"userId\" varchar(100) PRIMARY KEY NOT NULL, \"firstName\" varchar(200) NOT NULL DEFAULT (''), \"lastName\" varchar(200) NOT NULL DEFAULT (''), \"emailAddress\" varchar(320) NOT NULL DEFAULT (''), \"passwordHash\" varchar(400), \"status\" varchar(16) NOT NULL DEFAULT ('active'), \"roles\" text NOT NULL DEFAULT ('[]'), \"createdAt\" datetime NOT NULL DEFAULT (datetime('now')))");
    await queryRunner.query("INSERT INTO \"users\"(\"userId\", \"firstName\", \"lastName\", \"emailAddress\", \"passwordHash\", \"status\", \"roles\", \"createdAt\") SELECT \"userId\", \"firstName\", \"lastName\", \"emailAddress\", \"passwordHash\", \"status\", \"roles\", \"createdAt\" FROM \"temporary_users\"");
    await queryRunner.query("DROP TABLE \"temporary_users\"");
  }
}
