import { Entity, Index } from 'typeorm';
import { BigInteger, DigestColumn, ImageName, RepositoryName, Timestamp } from './columns';

@Entity('blob_links')
@Index('idx_blob_links_digest', ['digest'])
export class BlobLinkEntity {
  @RepositoryName({ primary: true }) repository!: string;
  @ImageName({ primary: true }) image!: string;
  @DigestColumn({ primary: true }) digest!: string;
  /** bigint: layers may exceed 2 GiB (PostgreSQL's integer is 32-bit). */
  @BigInteger() size!: number;
  @Timestamp() createdAt!: Date;
}
