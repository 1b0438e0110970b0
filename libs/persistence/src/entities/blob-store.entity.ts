import { CreateDateColumn, Entity, UpdateDateColumn } from 'typeorm';
import { Text, Varchar } from './columns';

/** A configured blob store (an S3 bucket); the built-in `default` file store has no row. */
@Entity('blob_stores')
export class BlobStoreEntity {
  @Varchar(200, { primary: true }) name!: string;
  @Varchar(16) type!: string;
  /** The full configuration as JSON; the secret key inside it is encrypted. */
  @Text() config!: string;
  @CreateDateColumn() createdAt!: Date;
  @UpdateDateColumn() updatedAt!: Date;
}
