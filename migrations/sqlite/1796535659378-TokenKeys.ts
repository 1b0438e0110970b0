import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TokenKeys1796535659378 implements MigrationInterface {
  name = 'TokenKeys1796535659378';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"token_keys\" (\"kid\" varchar(64) PRIMARY KEY NOT NULL, \"secret\" text NOT NULL, \"createdAt\" datetime NOT NULL)");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP TABLE \"token_keys\"");
  }
}
