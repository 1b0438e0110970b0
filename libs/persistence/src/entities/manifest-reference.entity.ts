import { Entity, Index } from 'typeorm';
import { DigestColumn, ImageName, RepositoryName } from './columns';

/** A blob or child manifest that a stored manifest references (what garbage collection must keep). */
@Entity('manifest_references')
@Index('idx_manifest_references_digest', ['digest'])
export class ManifestReferenceEntity {
  @RepositoryName({ primary: true }) repository!: string;
  @ImageName({ primary: true }) image!: string;
  @DigestColumn({ primary: true }) manifest!: string;
  @DigestColumn({ primary: true }) digest!: string;
}
