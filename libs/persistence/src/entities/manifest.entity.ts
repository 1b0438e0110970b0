import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('manifests')
@Index('idx_manifests_subject', ['repository', 'image', 'subject'])
@Index('idx_manifests_digest', ['digest'])
export class ManifestEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  repository!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  image!: string;

  @PrimaryColumn({ type: 'varchar', length: 160 })
  digest!: string;

  @Column({ type: 'varchar', length: 255 })
  mediaType!: string;

  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'varchar', length: 255, nullable: true })
  artifactType!: string | null;

  @Column({ type: 'varchar', length: 160, nullable: true })
  subject!: string | null;

  @Column({ type: 'text', nullable: true })
  annotations!: string | null;

  @Column({ type: Date })
  createdAt!: Date;

  @Column({ type: Date, nullable: true })
  lastDownloadedAt!: Date | null;

  /** Proxies: when the upstream last confirmed it still has this manifest (contentMaxAge). */
  @Column({ type: Date, nullable: true })
  verifiedAt!: Date | null;
}
