import { Entity } from 'typeorm';
import { DigestColumn, Timestamp, Varchar } from './columns';

/**
 * A blob garbage collection decided to delete and is deleting from the store. While the row exists no
 * writer may claim the digest; a row whose lease ran out belongs to a collection that died and is
 * finished by the next one (or taken over by a writer that needs the digest).
 */
@Entity('blob_deletions')
export class BlobDeletionEntity {
  @DigestColumn({ primary: true }) digest!: string;
  /** The collection run deleting it. */
  @Varchar(64) owner!: string;
  @Timestamp() startedAt!: Date;
  @Timestamp() expiresAt!: Date;
}
