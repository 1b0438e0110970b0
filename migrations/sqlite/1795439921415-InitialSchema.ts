import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795439921415 implements MigrationInterface {
  name = 'InitialSchema1795439921415';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"blob_links\" (\"repository\" varchar(200) NOT NULL, \"image\" varchar(255) NOT NULL, \"digest\" varchar(160) NOT NULL, \"size\" integer NOT NULL, \"createdAt\" datetime NOT NULL, PRIMARY KEY (\"repository\", \"image\", \"digest\"))");
    await queryRunner.query("CREATE INDEX \"idx_blob_links_digest\" ON \"blob_links\" (\"digest\") ");
    await queryRunner.query("CREATE TABLE \"manifest_references\" (\"repository\" varchar(200) NOT NULL, \"image\" varchar(255) NOT NULL, \"manifest\" varchar(160) NOT NULL, \"digest\" varchar(160) NOT NULL, PRIMARY KEY (\"repository\", \"image\", \"manifest\", \"digest\"))");
    await queryRunner.query("CREATE INDEX \"idx_manifest_references_digest\" ON \"manifest_references\" (\"digest\") ");
    await queryRunner.query("CREATE TABLE \"manifests\" (\"repository\" varchar(200) NOT NULL, \"image\" varchar(255) NOT NULL, \"digest\" varchar(160) NOT NULL, \"mediaType\" varchar(255) NOT NULL, \"size\" integer NOT NULL, \"artifactType\" varchar(255), \"subject\" varchar(160), \"annotations\" text, \"createdAt\" datetime NOT NULL, \"lastDownloadedAt\" datetime, PRIMARY KEY (\"repository\", \"image\", \"digest\"))");
    await queryRunner.query("CREATE INDEX \"idx_manifests_subject\" ON \"manifests\" (\"repository\", \"image\", \"subject\") ");
    await queryRunner.query("CREATE TABLE \"repositories\" (\"name\" varchar(200) PRIMARY KEY NOT NULL, \"type\" varchar(16) NOT NULL, \"online\" boolean NOT NULL DEFAULT (1), \"httpPort\" integer, \"config\" text NOT NULL, \"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT \"UQ_b9222a74357d93eda4c03b8d61a\" UNIQUE (\"httpPort\"))");
    await queryRunner.query("CREATE TABLE \"tags\" (\"repository\" varchar(200) NOT NULL, \"image\" varchar(255) NOT NULL, \"name\" varchar(128) NOT NULL, \"digest\" varchar(160) NOT NULL, \"updatedAt\" datetime NOT NULL, \"verifiedAt\" datetime, PRIMARY KEY (\"repository\", \"image\", \"name\"))");
    await queryRunner.query("CREATE INDEX \"idx_tags_digest\" ON \"tags\" (\"repository\", \"image\", \"digest\") ");
    await queryRunner.query("CREATE TABLE \"upload_sessions\" (\"id\" varchar(64) PRIMARY KEY NOT NULL, \"repository\" varchar(200) NOT NULL, \"image\" varchar(255) NOT NULL, \"createdAt\" datetime NOT NULL)");
    await queryRunner.query("CREATE INDEX \"idx_upload_sessions_repository\" ON \"upload_sessions\" (\"repository\") ");
    await queryRunner.query("CREATE TABLE \"users\" (\"userId\" varchar(100) PRIMARY KEY NOT NULL, \"firstName\" varchar(200) NOT NULL DEFAULT (''), \"lastName\" varchar(200) NOT NULL DEFAULT (''), \"emailAddress\" varchar(320) NOT NULL DEFAULT (''), \"passwordHash\" varchar(400), \"status\" varchar(16) NOT NULL DEFAULT ('active'), \"roles\" text NOT NULL DEFAULT ('[]'), \"createdAt\" datetime NOT NULL DEFAULT (datetime('now')))");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP TABLE \"users\"");
    await queryRunner.query("DROP INDEX \"idx_upload_sessions_repository\"");
    await queryRunner.query("DROP TABLE \"upload_sessions\"");
    await queryRunner.query("DROP INDEX \"idx_tags_digest\"");
    await queryRunner.query("DROP TABLE \"tags\"");
    await queryRunner.query("DROP TABLE \"repositories\"");
    await queryRunner.query("DROP INDEX \"idx_manifests_subject\"");
    await queryRunner.query("DROP TABLE \"manifests\"");
    await queryRunner.query("DROP INDEX \"idx_manifest_references_digest\"");
    await queryRunner.query("DROP TABLE \"manifest_references\"");
    await queryRunner.query("DROP INDEX \"idx_blob_links_digest\"");
    await queryRunner.query("DROP TABLE \"blob_links\"");
  }
}
