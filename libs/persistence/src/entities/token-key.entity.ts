import { Entity } from 'typeorm';
import { Text, Timestamp, Varchar } from './columns';

/** Registry token-signing keys (the newest signs; a few previous ones still verify). */
@Entity('token_keys')
export class TokenKeyEntity {
  @Varchar(64, { primary: true }) kid!: string;
  /** The key, base64, sealed with the installation's secret key. */
  @Text() secret!: string;
  @Timestamp() createdAt!: Date;
}
