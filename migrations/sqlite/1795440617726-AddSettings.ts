import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddSettings1795440617726 implements MigrationInterface {
  name = 'AddSettings1795440617726';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"settings\" (\"key\" varchar(100) PRIMARY KEY NOT NULL, \"value\" text NOT NULL, \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')))");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP TABLE \"settings\"");
  }
}
