import { Entity, UpdateDateColumn } from 'typeorm';
import { Text, Varchar } from './columns';

/** Server-wide settings (anonymous access, active realms ...) as JSON values by key. */
@Entity('settings')
export class SettingEntity {
  @Varchar(100, { primary: true }) key!: string;
  @Text() value!: string;
  @UpdateDateColumn() updatedAt!: Date;
}
