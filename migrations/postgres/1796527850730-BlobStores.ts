import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BlobStores1796527850730 implements MigrationInterface {
  name = 'BlobStores1796527850730';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"blob_stores\" (\"name\" character varying(200) NOT NULL, \"type\" character varying(16) NOT NULL, \"config\" text NOT NULL, \"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT \"PK_331e8941ae72f5c40420d272245\" PRIMARY KEY (\"name\"))");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP TABLE \"blob_stores\"");
  }
}
