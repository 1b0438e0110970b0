import { Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { BIGINT } from './blob-store-sample.entity';
import { BigInteger, Varchar } from './columns';

/**
 * The login throttle's records (LoginAttemptStore), shared by every replica. Keys are stored as the
 * SHA-256 of the throttle's key (hex): fixed length, any character (PostgreSQL text cannot hold the
 * NUL the throttle separates parts with), and no user name or address in clear. Times are milliseconds
 * since the epoch; a row may be deleted once `expiresAt` has passed.
 */
@Entity('login_failures')
@Index('idx_login_failures_key_at', ['keyHash', 'at'])
@Index('idx_login_failures_expires', ['expiresAt'])
export class LoginFailureEntity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Varchar(64) keyHash!: string;
  @BigInteger({ transformer: BIGINT }) at!: number;
  @BigInteger({ transformer: BIGINT }) expiresAt!: number;
}

/** The last successful login under a key (a user from an address). */
@Entity('login_successes')
@Index('idx_login_successes_expires', ['expiresAt'])
export class LoginSuccessEntity {
  @Varchar(64, { primary: true }) keyHash!: string;
  @BigInteger({ transformer: BIGINT }) at!: number;
  @BigInteger({ transformer: BIGINT }) expiresAt!: number;
}
