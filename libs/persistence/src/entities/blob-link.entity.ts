import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('blob_links')
@Index('idx_blob_links_digest', ['digest'])
export class BlobLinkEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  repository!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  image!: string;

  @PrimaryColumn({ type: 'varchar', length: 160 })
  digest!: string;

  /** bigint: layers may exceed 2 GiB (PostgreSQL's integer is 32-bit). */
  @Column({ type: 'bigint' })
  size!: number;

  @Column({ type: Date })
  createdAt!: Date;
}
