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

  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'datetime' })
  createdAt!: Date;
}
