import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TokenKeys1796535659378 implements MigrationInterface {
  name = 'TokenKeys1796535659378';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"token_keys\" (\"kid\" character varying(64) NOT NULL, \"secret\" text NOT NULL, \"createdAt\" TIMESTAMP NOT NULL, CONSTRAINT \"PK_c8361ae182295dfe16174adbde2\" PRIMARY KEY (\"kid\"))");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP TABLE \"token_keys\"");
  }
}
