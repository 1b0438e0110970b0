import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Registry token-signing keys (the newest signs; a few previous ones still verify). */
@Entity('token_keys')
export class TokenKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid!: string;

  /** The key, base64, sealed with the installation's secret key. */
  @Column({ type: 'text' })
  secret!: string;

  @Column({ type: Date })
  createdAt!: Date;
}
