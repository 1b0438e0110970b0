import { CreateDateColumn, Entity, Index } from 'typeorm';
import { Json, Varchar } from './columns';

@Entity('users')
@Index('idx_users_user_id_key', ['userIdKey'], { unique: true })
export class UserEntity {
  @Varchar(100, { primary: true }) userId!: string;
  /**
   * The id in lower case: unique, so ids are unique regardless of case in the database too (replicas
   * creating `Admin` and `admin` at once). Null only for a user that shared it with another when the rule
   * came (migration UserIdKey): kept, and never given a key.
   */
  @Varchar(100, { nullable: true }) userIdKey!: string | null;
  @Varchar(200, { default: '' }) firstName!: string;
  @Varchar(200, { default: '' }) lastName!: string;
  @Varchar(320, { default: '' }) emailAddress!: string;
  /** scrypt$N$r$p$salt$hash; never leaves the server. */
  @Varchar(400, { nullable: true }) passwordHash!: string | null;
  @Varchar(16, { default: 'active' }) status!: string;
  /** Role ids. */
  @Json({ default: '[]' }) roles!: string[];
  @CreateDateColumn() createdAt!: Date;
}
