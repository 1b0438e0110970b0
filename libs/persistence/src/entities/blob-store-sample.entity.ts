import { Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { BigInteger, Integer, Timestamp, Varchar } from './columns';

/** Byte counts are bigint: stores pass 2 GiB (PostgreSQL returns bigint as text, hence the transformer). */
export const BIGINT = { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) };

/** A measurement of a blob store's size, for the usage chart. */
@Entity('blob_store_samples')
@Index('idx_blob_store_samples_at', ['store', 'at'])
export class BlobStoreSampleEntity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Varchar(200) store!: string;
  @Timestamp() at!: Date;
  @Integer() blobCount!: number;
  @BigInteger({ transformer: BIGINT }) totalBytes!: number;
  @BigInteger({ nullable: true, transformer: BIGINT }) availableBytes!: number | null;
}
