import { Entity, Index } from 'typeorm';
import { DigestColumn, Timestamp, Varchar } from './columns';

/**
 * A writer's hold on a blob while it places the bytes in the store and links them: garbage collection
 * never deletes a blob with a live claim. A claim ends when released or when its lease runs out (the
 * writer died); the writer renews it while it works.
 */
@Entity('blob_claims')
@Index('idx_blob_claims_digest', ['digest'])
export class BlobClaimEntity {
  @Varchar(64, { primary: true }) id!: string;
  @DigestColumn() digest!: string;
  @Timestamp() expiresAt!: Date;
}
