import { Entity, Index } from 'typeorm';
import { DigestColumn, ImageName, Integer, RepositoryName, Text, Timestamp, Varchar } from './columns';

@Entity('manifests')
@Index('idx_manifests_subject', ['repository', 'image', 'subject'])
@Index('idx_manifests_digest', ['digest'])
export class ManifestEntity {
  @RepositoryName({ primary: true }) repository!: string;
  @ImageName({ primary: true }) image!: string;
  @DigestColumn({ primary: true }) digest!: string;
  @Varchar(255) mediaType!: string;
  @Integer() size!: number;
  @Varchar(255, { nullable: true }) artifactType!: string | null;
  @DigestColumn({ nullable: true }) subject!: string | null;
  @Text({ nullable: true }) annotations!: string | null;
  @Timestamp() createdAt!: Date;
  @Timestamp({ nullable: true }) lastDownloadedAt!: Date | null;
  /** Proxies: when the upstream last confirmed it still has this manifest (contentMaxAge). */
  @Timestamp({ nullable: true }) verifiedAt!: Date | null;
}
