import { Entity, UpdateDateColumn } from 'typeorm';
import { Json, Varchar } from './columns';

/** Server-wide settings (anonymous access, active realms ...) as JSON values by key. */
@Entity('settings')
export class SettingEntity {
  @Varchar(100, { primary: true }) key!: string;
  @Json() value!: unknown;
  @UpdateDateColumn() updatedAt!: Date;
}
