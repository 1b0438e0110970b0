import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('repositories')
export class RepositoryEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: string;

  @Column({ type: 'boolean', default: true })
  online!: boolean;

  @Column({ type: 'integer', nullable: true, unique: true })
  httpPort!: number | null;

  /** The full configuration as JSON; upstream secrets inside it are encrypted. */
  @Column({ type: 'text' })
  config!: string;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
