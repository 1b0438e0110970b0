import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BlobStores1796527850730 implements MigrationInterface {
  name = 'BlobStores1796527850730';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"blob_stores\" (\"name\" varchar(200) PRIMARY KEY NOT NULL, \"type\" varchar(16) NOT NULL, \"config\" text NOT NULL, \"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')))");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP TABLE \"blob_stores\"");
  }
}
