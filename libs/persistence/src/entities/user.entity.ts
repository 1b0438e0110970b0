import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  userId!: string;

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
