import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Server-wide settings (anonymous access, active realms ...) as JSON values by key. */
@Entity('settings')
export class SettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  key!: string;

  @Column({ type: 'text' })
  value!: string;

  @UpdateDateColumn()
  updatedAt!: Date;
}
