import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LoginAttempts1796537300561 implements MigrationInterface {
  name = 'LoginAttempts1796537300561';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"login_failures\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"keyHash\" varchar(64) NOT NULL, \"at\" bigint NOT NULL, \"expiresAt\" bigint NOT NULL)");
    await queryRunner.query("CREATE INDEX \"idx_login_failures_expires\" ON \"login_failures\" (\"expiresAt\") ");
    await queryRunner.query("CREATE INDEX \"idx_login_failures_key_at\" ON \"login_failures\" (\"keyHash\", \"at\") ");
    await queryRunner.query("CREATE TABLE \"login_successes\" (\"keyHash\" varchar(64) PRIMARY KEY NOT NULL, \"at\" bigint NOT NULL, \"expiresAt\" bigint NOT NULL)");
    await queryRunner.query("CREATE INDEX \"idx_login_successes_expires\" ON \"login_successes\" (\"expiresAt\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"idx_login_successes_expires\"");
    await queryRunner.query("DROP TABLE \"login_successes\"");
    await queryRunner.query("DROP INDEX \"idx_login_failures_key_at\"");
    await queryRunner.query("DROP INDEX \"idx_login_failures_expires\"");
    await queryRunner.query("DROP TABLE \"login_failures\"");
  }
}
