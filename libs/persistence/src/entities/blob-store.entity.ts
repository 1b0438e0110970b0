import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A configured blob store (an S3 bucket); the built-in `default` file store has no row. */
@Entity('blob_stores')
export class BlobStoreEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: string;

  /** The full configuration as JSON; the secret key inside it is encrypted. */
  @Column({ type: 'text' })
  config!: string;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
