import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A writer's hold on a blob while it places the bytes in the store and links them: garbage collection
 * never deletes a blob with a live claim. A claim ends when released or when its lease runs out (the
 * writer died); the writer renews it while it works.
 */
@Entity('blob_claims')
@Index('idx_blob_claims_digest', ['digest'])
export class BlobClaimEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 160 })
  digest!: string;

  @Column({ type: Date })
  expiresAt!: Date;
}
