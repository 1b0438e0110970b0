import { CreateDateColumn, Entity } from 'typeorm';
import { Flag, Text, Varchar } from './columns';

/** A role of the local authorization realm: privileges and contained roles, by id. */
@Entity('roles')
export class RoleEntity {
  @Varchar(100, { primary: true }) id!: string;
  @Varchar(200, { default: '' }) name!: string;
  @Varchar(1000, { default: '' }) description!: string;
  /** JSON array of privilege names. */
  @Text({ default: '[]' }) privileges!: string;
  /** JSON array of contained role ids. */
  @Text({ default: '[]' }) roles!: string;
  /** Built-in roles (nx-admin) cannot be changed or deleted. */
  @Flag({ default: false }) readOnly!: boolean;
  @CreateDateColumn() createdAt!: Date;
}
