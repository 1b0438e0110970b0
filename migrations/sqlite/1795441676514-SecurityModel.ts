import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SecurityModel1795441676514 implements MigrationInterface {
  name = 'SecurityModel1795441676514';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"roles\" (\"id\" varchar(100) PRIMARY KEY NOT NULL, \"name\" varchar(200) NOT NULL DEFAULT (''), \"description\" varchar(1000) NOT NULL DEFAULT (''), \"privileges\" text NOT NULL DEFAULT ('[]'), \"roles\" text NOT NULL DEFAULT ('[]'), \"readOnly\" boolean NOT NULL DEFAULT (0), \"createdAt\" datetime NOT NULL DEFAULT (datetime('now')))");
    await queryRunner.query("CREATE TABLE \"api_tokens\" (\"id\" varchar(64) PRIMARY KEY NOT NULL, \"userId\" varchar(100) NOT NULL, \"name\" varchar(200) NOT NULL, \"tokenHash\" varchar(64) NOT NULL, \"createdAt\" datetime NOT NULL, \"expiresAt\" datetime, \"lastUsedAt\" datetime)");
    await queryRunner.query("CREATE UNIQUE INDEX \"idx_api_tokens_hash\" ON \"api_tokens\" (\"tokenHash\") ");
    await queryRunner.query("CREATE INDEX \"idx_api_tokens_user\" ON \"api_tokens\" (\"userId\") ");
    await queryRunner.query("CREATE TABLE \"audit_events\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"at\" datetime NOT NULL, \"actor\" varchar(100), \"address\" varchar(100), \"action\" varchar(100) NOT NULL, \"target\" varchar(300), \"details\" text NOT NULL DEFAULT ('{}'))");
    await queryRunner.query("CREATE INDEX \"idx_audit_events_at\" ON \"audit_events\" (\"at\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"idx_audit_events_at\"");
    await queryRunner.query("DROP TABLE \"audit_events\"");
    await queryRunner.query("DROP INDEX \"idx_api_tokens_user\"");
    await queryRunner.query("DROP INDEX \"idx_api_tokens_hash\"");
    await queryRunner.query("DROP TABLE \"api_tokens\"");
    await queryRunner.query("DROP TABLE \"roles\"");
  }
}
