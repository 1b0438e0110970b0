import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A role of the local authorization realm: privileges and contained roles, by id. */
@Entity('roles')
export class RoleEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  id!: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  name!: string;

  @Column({ type: 'varchar', length: 1000, default: '' })
  description!: string;

  /** JSON array of privilege names. */
  @Column({ type: 'text', default: '[]' })
  privileges!: string;

  /** JSON array of contained role ids. */
  @Column({ type: 'text', default: '[]' })
  roles!: string;

  /** Built-in roles (nx-admin) cannot be changed or deleted. */
  @Column({ type: 'boolean', default: false })
  readOnly!: boolean;

  @CreateDateColumn()
  createdAt!: Date;
}
