import type { MigrationInterface, QueryRunner } from 'typeorm';

export class StorageLifecycle1796528089901 implements MigrationInterface {
  name = 'StorageLifecycle1796528089901';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"blob_claims\" (\"id\" character varying(64) NOT NULL, \"digest\" character varying(160) NOT NULL, \"expiresAt\" TIMESTAMP NOT NULL, CONSTRAINT \"PK_9bd40c1c811a6f34f7aae0ae354\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"idx_blob_claims_digest\" ON \"blob_claims\"  (\"digest\") ");
    await queryRunner.query("CREATE TABLE \"blob_deletions\" (\"digest\" character varying(160) NOT NULL, \"owner\" character varying(64) NOT NULL, \"startedAt\" TIMESTAMP NOT NULL, \"expiresAt\" TIMESTAMP NOT NULL, CONSTRAINT \"PK_eb5034e9c9676ab360d41ad26ce\" PRIMARY KEY (\"digest\"))");
    await queryRunner.query("CREATE TABLE \"blob_store_samples\" (\"id\" SERIAL NOT NULL, \"store\" character varying(200) NOT NULL, \"at\" TIMESTAMP NOT NULL, \"blobCount\" integer NOT NULL, \"totalBytes\" bigint NOT NULL, \"availableBytes\" bigint, CONSTRAINT \"PK_cb6a34c2c471bb483f9bc35aca5\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"idx_blob_store_samples_at\" ON \"blob_store_samples\"  (\"store\", \"at\") ");
    await queryRunner.query("CREATE TABLE \"cleanup_policies\" (\"name\" character varying(200) NOT NULL, \"format\" character varying(32) NOT NULL, \"notes\" text NOT NULL DEFAULT '', \"criteria\" text NOT NULL, \"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT \"PK_d01aefcf2dff9028fdbedbc0af8\" PRIMARY KEY (\"name\"))");
    await queryRunner.query("CREATE TABLE \"tasks\" (\"id\" character varying(100) NOT NULL, \"type\" character varying(100) NOT NULL, \"name\" character varying(200) NOT NULL, \"schedule\" text NOT NULL, \"properties\" text NOT NULL DEFAULT '{}', \"nextRunAt\" TIMESTAMP, \"leaseOwner\" character varying(64), \"leaseExpiresAt\" TIMESTAMP, \"stopRequested\" boolean NOT NULL DEFAULT false, CONSTRAINT \"PK_8d12ff38fcc62aaba2cab748772\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE TABLE \"task_runs\" (\"id\" SERIAL NOT NULL, \"taskId\" character varying(100) NOT NULL, \"startedAt\" TIMESTAMP NOT NULL, \"finishedAt\" TIMESTAMP, \"result\" character varying(16) NOT NULL, \"summary\" text NOT NULL DEFAULT '{}', \"log\" text NOT NULL DEFAULT '', CONSTRAINT \"PK_52c37d0e12c4de37ae7bbff7850\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"idx_task_runs_task\" ON \"task_runs\"  (\"taskId\", \"startedAt\") ");
    await queryRunner.query("ALTER TABLE \"manifests\" ADD \"verifiedAt\" TIMESTAMP");
    await queryRunner.query("CREATE INDEX \"idx_manifests_digest\" ON \"manifests\"  (\"digest\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"public\".\"idx_manifests_digest\"");
    await queryRunner.query("ALTER TABLE \"manifests\" DROP COLUMN \"verifiedAt\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_task_runs_task\"");
    await queryRunner.query("DROP TABLE \"task_runs\"");
    await queryRunner.query("DROP TABLE \"tasks\"");
    await queryRunner.query("DROP TABLE \"cleanup_policies\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_blob_store_samples_at\"");
    await queryRunner.query("DROP TABLE \"blob_store_samples\"");
    await queryRunner.query("DROP TABLE \"blob_deletions\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_blob_claims_digest\"");
    await queryRunner.query("DROP TABLE \"blob_claims\"");
  }
}
