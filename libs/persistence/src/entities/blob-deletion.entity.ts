import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A blob garbage collection decided to delete and is deleting from the store. While the row exists no
 * writer may claim the digest; a row whose lease ran out belongs to a collection that died and is
 * finished by the next one (or taken over by a writer that needs the digest).
 */
@Entity('blob_deletions')
export class BlobDeletionEntity {
  @PrimaryColumn({ type: 'varchar', length: 160 })
  digest!: string;

  /** The collection run deleting it. */
  @Column({ type: 'varchar', length: 64 })
  owner!: string;

  @Column({ type: Date })
  startedAt!: Date;

  @Column({ type: Date })
  expiresAt!: Date;
}
