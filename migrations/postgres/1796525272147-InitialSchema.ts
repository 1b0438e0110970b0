import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1796525272147 implements MigrationInterface {
  name = 'InitialSchema1796525272147';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"blob_links\" (\"repository\" character varying(200) NOT NULL, \"image\" character varying(255) NOT NULL, \"digest\" character varying(160) NOT NULL, \"size\" bigint NOT NULL, \"createdAt\" TIMESTAMP NOT NULL, CONSTRAINT \"PK_0b90eac912cc7ca7321386e8a79\" PRIMARY KEY (\"repository\", \"image\", \"digest\"))");
    await queryRunner.query("CREATE INDEX \"idx_blob_links_digest\" ON \"blob_links\"  (\"digest\") ");
    await queryRunner.query("CREATE TABLE \"manifest_references\" (\"repository\" character varying(200) NOT NULL, \"image\" character varying(255) NOT NULL, \"manifest\" character varying(160) NOT NULL, \"digest\" character varying(160) NOT NULL, CONSTRAINT \"PK_e9d3c9819eddefac9b3592d2fb4\" PRIMARY KEY (\"repository\", \"image\", \"manifest\", \"digest\"))");
    await queryRunner.query("CREATE INDEX \"idx_manifest_references_digest\" ON \"manifest_references\"  (\"digest\") ");
    await queryRunner.query("CREATE TABLE \"manifests\" (\"repository\" character varying(200) NOT NULL, \"image\" character varying(255) NOT NULL, \"digest\" character varying(160) NOT NULL, \"mediaType\" character varying(255) NOT NULL, \"size\" integer NOT NULL, \"artifactType\" character varying(255), \"subject\" character varying(160), \"annotations\" text, \"createdAt\" TIMESTAMP NOT NULL, \"lastDownloadedAt\" TIMESTAMP, CONSTRAINT \"PK_1e08d64f1f46641b4ce11746a3f\" PRIMARY KEY (\"repository\", \"image\", \"digest\"))");
    await queryRunner.query("CREATE INDEX \"idx_manifests_subject\" ON \"manifests\"  (\"repository\", \"image\", \"subject\") ");
    await queryRunner.query("CREATE TABLE \"repositories\" (\"name\" character varying(200) NOT NULL, \"type\" character varying(16) NOT NULL, \"online\" boolean NOT NULL DEFAULT true, \"httpPort\" integer, \"config\" text NOT NULL, \"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT \"UQ_b9222a74357d93eda4c03b8d61a\" UNIQUE (\"httpPort\"), CONSTRAINT \"PK_98b624f19034b52b7d4a646b0c3\" PRIMARY KEY (\"name\"))");
    await queryRunner.query("CREATE TABLE \"tags\" (\"repository\" character varying(200) NOT NULL, \"image\" character varying(255) NOT NULL, \"name\" character varying(128) NOT NULL, \"digest\" character varying(160) NOT NULL, \"updatedAt\" TIMESTAMP NOT NULL, \"verifiedAt\" TIMESTAMP, CONSTRAINT \"PK_817ca69b553d8ff38dc281c7582\" PRIMARY KEY (\"repository\", \"image\", \"name\"))");
    await queryRunner.query("CREATE INDEX \"idx_tags_digest\" ON \"tags\"  (\"repository\", \"image\", \"digest\") ");
    await queryRunner.query("CREATE TABLE \"upload_sessions\" (\"id\" character varying(64) NOT NULL, \"repository\" character varying(200) NOT NULL, \"image\" character varying(255) NOT NULL, \"createdAt\" TIMESTAMP NOT NULL, CONSTRAINT \"PK_4b6ca30b8bb2baa0de9c6bf8fea\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"idx_upload_sessions_repository\" ON \"upload_sessions\"  (\"repository\") ");
    await queryRunner.query("CREATE TABLE \"settings\" (\"key\" character varying(100) NOT NULL, \"value\" text NOT NULL, \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT \"PK_c8639b7626fa94ba8265628f214\" PRIMARY KEY (\"key\"))");
    await queryRunner.query("CREATE TABLE \"users\" (\"userId\" character varying(100) NOT NULL, \"firstName\" character varying(200) NOT NULL DEFAULT '', \"lastName\" character varying(200) NOT NULL DEFAULT '', \"emailAddress\" character varying(320) NOT NULL DEFAULT '', \"passwordHash\" character varying(400), \"status\" character varying(16) NOT NULL DEFAULT 'active', \"roles\" text NOT NULL DEFAULT '[]', \"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT \"PK_8bf09ba754322ab9c22a215c919\" PRIMARY KEY (\"userId\"))");
    await queryRunner.query("CREATE TABLE \"roles\" (\"id\" character varying(100) NOT NULL, \"name\" character varying(200) NOT NULL DEFAULT '', \"description\" character varying(1000) NOT NULL DEFAULT '', \"privileges\" text NOT NULL DEFAULT '[]', \"roles\" text NOT NULL DEFAULT '[]', \"readOnly\" boolean NOT NULL DEFAULT false, \"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT \"PK_c1433d71a4838793a49dcad46ab\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE TABLE \"api_tokens\" (\"id\" character varying(64) NOT NULL, \"userId\" character varying(100) NOT NULL, \"name\" character varying(200) NOT NULL, \"tokenHash\" character varying(64) NOT NULL, \"createdAt\" TIMESTAMP NOT NULL, \"expiresAt\" TIMESTAMP, \"lastUsedAt\" TIMESTAMP, CONSTRAINT \"PK_c587455266b5fa8dace7194caac\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"idx_api_tokens_hash\" ON \"api_tokens\"  (\"tokenHash\") ");
    await queryRunner.query("CREATE INDEX \"idx_api_tokens_user\" ON \"api_tokens\"  (\"userId\") ");
    await queryRunner.query("CREATE TABLE \"audit_events\" (\"id\" SERIAL NOT NULL, \"at\" TIMESTAMP NOT NULL, \"actor\" character varying(100), \"address\" character varying(100), \"action\" character varying(100) NOT NULL, \"target\" character varying(300), \"details\" text NOT NULL DEFAULT '{}', CONSTRAINT \"PK_910f64d901a5c3e9878f0d4a407\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"idx_audit_events_at\" ON \"audit_events\"  (\"at\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"public\".\"idx_audit_events_at\"");
    await queryRunner.query("DROP TABLE \"audit_events\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_api_tokens_user\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_api_tokens_hash\"");
    await queryRunner.query("DROP TABLE \"api_tokens\"");
    await queryRunner.query("DROP TABLE \"roles\"");
    await queryRunner.query("DROP TABLE \"users\"");
    await queryRunner.query("DROP TABLE \"settings\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_upload_sessions_repository\"");
    await queryRunner.query("DROP TABLE \"upload_sessions\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_tags_digest\"");
    await queryRunner.query("DROP TABLE \"tags\"");
    await queryRunner.query("DROP TABLE \"repositories\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_manifests_subject\"");
    await queryRunner.query("DROP TABLE \"manifests\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_manifest_references_digest\"");
    await queryRunner.query("DROP TABLE \"manifest_references\"");
    await queryRunner.query("DROP INDEX \"public\".\"idx_blob_links_digest\"");
    await queryRunner.query("DROP TABLE \"blob_links\"");
  }
}
