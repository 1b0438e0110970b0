import { CreateDateColumn, Entity } from 'typeorm';
import { Flag, Json, Varchar } from './columns';

/** A role of the local authorization realm: privileges and contained roles, by id. */
@Entity('roles')
export class RoleEntity {
  @Varchar(100, { primary: true }) id!: string;
  @Varchar(200, { default: '' }) name!: string;
  @Varchar(1000, { default: '' }) description!: string;
  /** Privilege names. */
  @Json({ default: '[]' }) privileges!: string[];
  /** Contained role ids. */
  @Json({ default: '[]' }) roles!: string[];
  /** Built-in roles (nx-admin) cannot be changed or deleted. */
  @Flag({ default: false }) readOnly!: boolean;
  @CreateDateColumn() createdAt!: Date;
}
