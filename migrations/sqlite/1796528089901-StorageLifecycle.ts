import type { MigrationInterface, QueryRunner } from 'typeorm';

export class StorageLifecycle1796528089901 implements MigrationInterface {
  name = 'StorageLifecycle1796528089901';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"blob_claims\" (\"id\" varchar(64) PRIMARY KEY NOT NULL, \"digest\" varchar(160) NOT NULL, \"expiresAt\" datetime NOT NULL)");
    await queryRunner.query("CREATE INDEX \"idx_blob_claims_digest\" ON \"blob_claims\" (\"digest\") ");
    await queryRunner.query("CREATE TABLE \"blob_deletions\" (\"digest\" varchar(160) PRIMARY KEY NOT NULL, \"owner\" varchar(64) NOT NULL, \"startedAt\" datetime NOT NULL, \"expiresAt\" datetime NOT NULL)");
    await queryRunner.query("CREATE TABLE \"blob_store_samples\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"store\" varchar(200) NOT NULL, \"at\" datetime NOT NULL, \"blobCount\" integer NOT NULL, \"totalBytes\" bigint NOT NULL, \"availableBytes\" bigint)");
    await queryRunner.query("CREATE INDEX \"idx_blob_store_samples_at\" ON \"blob_store_samples\" (\"store\", \"at\") ");
    await queryRunner.query("CREATE TABLE \"cleanup_policies\" (\"name\" varchar(200) PRIMARY KEY NOT NULL, \"format\" varchar(32) NOT NULL, \"notes\" text NOT NULL DEFAULT (''), \"criteria\" text NOT NULL, \"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')))");
    await queryRunner.query("CREATE TABLE \"tasks\" (\"id\" varchar(100) PRIMARY KEY NOT NULL, \"type\" varchar(100) NOT NULL, \"name\" varchar(200) NOT NULL, \"schedule\" text NOT NULL, \"properties\" text NOT NULL DEFAULT ('{}'), \"nextRunAt\" datetime, \"leaseOwner\" varchar(64), \"leaseExpiresAt\" datetime, \"stopRequested\" boolean NOT NULL DEFAULT (0))");
    await queryRunner.query("CREATE TABLE \"task_runs\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"taskId\" varchar(100) NOT NULL, \"startedAt\" datetime NOT NULL, \"finishedAt\" datetime, \"result\" varchar(16) NOT NULL, \"summary\" text NOT NULL DEFAULT ('{}'), \"log\" text NOT NULL DEFAULT (''))");
    await queryRunner.query("CREATE INDEX \"idx_task_runs_task\" ON \"task_runs\" (\"taskId\", \"startedAt\") ");
    await queryRunner.query("DROP INDEX \"idx_manifests_subject\"");
    await queryRunner.query("CREATE TABLE \"temporary_manifests\" (\"repository\" varchar(200) NOT NULL, \"image\" varchar(255) NOT NULL, \"digest\" varchar(160) NOT NULL, \"mediaType\" varchar(255) NOT NULL, \"size\" integer NOT NULL, \"artifactType\" varchar(255), \"subject\" varchar(160), \"annotations\" text, \"createdAt\" datetime NOT NULL, \"lastDownloadedAt\" datetime, \"verifiedAt\" datetime, PRIMARY KEY (\"repository\", \"image\", \"digest\"))");
    await queryRunner.query("INSERT INTO \"temporary_manifests\"(\"repository\", \"image\", \"digest\", \"mediaType\", \"size\", \"artifactType\", \"subject\", \"annotations\", \"createdAt\", \"lastDownloadedAt\") SELECT \"repository\", \"image\", \"digest\", \"mediaType\", \"size\", \"artifactType\", \"subject\", \"annotations\", \"createdAt\", \"lastDownloadedAt\" FROM \"manifests\"");
    await queryRunner.query("DROP TABLE \"manifests\"");
    await queryRunner.query("ALTER TABLE \"temporary_manifests\" RENAME TO \"manifests\"");
    await queryRunner.query("CREATE INDEX \"idx_manifests_subject\" ON \"manifests\" (\"repository\", \"image\", \"subject\") ");
    await queryRunner.query("CREATE INDEX \"idx_manifests_digest\" ON \"manifests\" (\"digest\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"idx_manifests_digest\"");
    await queryRunner.query("DROP INDEX \"idx_manifests_subject\"");
    await queryRunner.query("ALTER TABLE \"manifests\" RENAME TO \"temporary_manifests\"");
    await queryRunner.query("CREATE TABLE \"manifests\" (\"repository\" varchar(200) NOT NULL, \"image\" varchar(255) NOT NULL, \"digest\" varchar(160) NOT NULL, \"mediaType\" varchar(255) NOT NULL, \"size\" integer NOT NULL, \"artifactType\" varchar(255), \"subject\" varchar(160), \"annotations\" text, \"createdAt\" datetime NOT NULL, \"lastDownloadedAt\" datetime, PRIMARY KEY (\"repository\", \"image\", \"digest\"))");
    await queryRunner.query("INSERT INTO \"manifests\"(\"repository\", \"image\", \"digest\", \"mediaType\", \"size\", \"artifactType\", \"subject\", \"annotations\", \"createdAt\", \"lastDownloadedAt\") SELECT \"repository\", \"image\", \"digest\", \"mediaType\", \"size\", \"artifactType\", \"subject\", \"annotations\", \"createdAt\", \"lastDownloadedAt\" FROM \"temporary_manifests\"");
    await queryRunner.query("DROP TABLE \"temporary_manifests\"");
    await queryRunner.query("CREATE INDEX \"idx_manifests_subject\" ON \"manifests\" (\"repository\", \"image\", \"subject\") ");
    await queryRunner.query("DROP INDEX \"idx_task_runs_task\"");
    await queryRunner.query("DROP TABLE \"task_runs\"");
    await queryRunner.query("DROP TABLE \"tasks\"");
    await queryRunner.query("DROP TABLE \"cleanup_policies\"");
    await queryRunner.query("DROP INDEX \"idx_blob_store_samples_at\"");
    await queryRunner.query("DROP TABLE \"blob_store_samples\"");
    await queryRunner.query("DROP TABLE \"blob_deletions\"");
    await queryRunner.query("DROP INDEX \"idx_blob_claims_digest\"");
    await queryRunner.query("DROP TABLE \"blob_claims\"");
  }
}
