import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BlobLinkSizeBigint1796525282224 implements MigrationInterface {
  name = 'BlobLinkSizeBigint1796525282224';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"idx_blob_links_digest\"");
    await queryRunner.query("CREATE TABLE \"temporary_blob_links\" (\"repository\" varchar(200) NOT NULL, \"image\" varchar(255) NOT NULL, \"digest\" varchar(160) NOT NULL, \"size\" bigint NOT NULL, \"createdAt\" datetime NOT NULL, PRIMARY KEY (\"repository\", \"image\", \"digest\"))");
    await queryRunner.query("INSERT INTO \"temporary_blob_links\"(\"repository\", \"image\", \"digest\", \"size\", \"createdAt\") SELECT \"repository\", \"image\", \"digest\", \"size\", \"createdAt\" FROM \"blob_links\"");
    await queryRunner.query("DROP TABLE \"blob_links\"");
    await queryRunner.query("ALTER TABLE \"temporary_blob_links\" RENAME TO \"blob_links\"");
    await queryRunner.query("CREATE INDEX \"idx_blob_links_digest\" ON \"blob_links\" (\"digest\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"idx_blob_links_digest\"");
    await queryRunner.query("ALTER TABLE \"blob_links\" RENAME TO \"temporary_blob_links\"");
    await queryRunner.query("CREATE TABLE \"blob_links\" (\"repository\" varchar(200) NOT NULL, \"image\" varchar(255) NOT NULL, \"digest\" varchar(160) NOT NULL, \"size\" integer NOT NULL, \"createdAt\" datetime NOT NULL, PRIMARY KEY (\"repository\", \"image\", \"digest\"))");
    await queryRunner.query("INSERT INTO \"blob_links\"(\"repository\", \"image\", \"digest\", \"size\", \"createdAt\") SELECT \"repository\", \"image\", \"digest\", \"size\", \"createdAt\" FROM \"temporary_blob_links\"");
    await queryRunner.query("DROP TABLE \"temporary_blob_links\"");
    await queryRunner.query("CREATE INDEX \"idx_blob_links_digest\" ON \"blob_links\" (\"digest\") ");
  }
}
