import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LoginAttempts1796537300561 implements MigrationInterface {
  name = 'LoginAttempts1796537300561';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"login_failures\" (\"id\" SERIAL NOT NULL, \"keyHash\" character varying(64) NOT NULL, \"at\" bigint NOT NULL, \"expiresAt\" bigint NOT NULL, CONSTRAINT \"PK_8211e8ec810fd7f976b98ce97a0\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"idx_login_failures_expires\" ON \"login_failures\"  (\"expiresAt\") ");
    await queryRunner.query("CREATE INDEX \"idx_login_failures_key_at\" ON \"login_failures\"  (\"keyHash\", \"at\") ");
    await queryRunner.query("CREATE TABLE \"login_successes\" (\"keyHash\" character varying(64) NOT NULL, \"at\" bigint NOT NULL, \"expiresAt\" bigint NOT NULL, CONSTRAINT \"PK_4e38e655eacf41ac87ccfb88d70\" PRIMARY KEY (\"keyHash\"))");
    await queryRunner.query("CREATE INDEX \"idx_login_successes_expires\" ON \"login_successes\"  (\"expiresAt\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"public\".\"idx_login_successes_expires\"");
    await queryRunner.query("DROP TABLE \"login_successes\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_login_failures_key_at\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_login_failures_expires\"");
    await queryRunner.query("DROP TABLE \"login_failures\"");
  }
}
