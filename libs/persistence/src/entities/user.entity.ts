import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('users')
@Index('idx_users_user_id_key', ['userIdKey'], { unique: true })
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  userId!: string;

  /**
   * The id in lower case: unique, so ids are unique regardless of case in the database too (replicas
   * creating `Admin` and `admin` at once). Null only for a user that shared it with another when the rule
   * came (migration UserIdKey): kept, and never given a key.
   */
  @Column({ type: 'varchar', length: 100, nullable: true })
  userIdKey!: string | null;

  @Column({ type: 'varchar', length: 200, default: '' })
  firstName!: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  lastName!: string;

  @Column({ type: 'varchar', length: 320, default: '' })
  emailAddress!: string;

  /** scrypt$N$r$p$salt$hash; never leaves the server. */
  @Column({ type: 'varchar', length: 400, nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: string;

  /** JSON array of role ids. */
  @Column({ type: 'text', default: '[]' })
  roles!: string;

  @CreateDateColumn()
  createdAt!: Date;
}
