import { Entity, Index } from 'typeorm';
import { Timestamp, Varchar } from './columns';

/** An API token: only the SHA-256 of its secret is stored. */
@Entity('api_tokens')
@Index('idx_api_tokens_user', ['userId'])
export class ApiTokenEntity {
  @Varchar(64, { primary: true }) id!: string;
  @Varchar(100) userId!: string;
  @Varchar(200) name!: string;
  /** Hex SHA-256 of the secret. */
  @Index('idx_api_tokens_hash', { unique: true })
  @Varchar(64) tokenHash!: string;
  @Timestamp() createdAt!: Date;
  @Timestamp({ nullable: true }) expiresAt!: Date | null;
  @Timestamp({ nullable: true }) lastUsedAt!: Date | null;
}
