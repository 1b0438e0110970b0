import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An API token: only the SHA-256 of its secret is stored. */
@Entity('api_tokens')
@Index('idx_api_tokens_user', ['userId'])
export class ApiTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  userId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** Hex SHA-256 of the secret. */
  @Index('idx_api_tokens_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ type: Date })
  createdAt!: Date;

  @Column({ type: Date, nullable: true })
  expiresAt!: Date | null;

  @Column({ type: Date, nullable: true })
  lastUsedAt!: Date | null;
}
