import { Entity, Index, PrimaryColumn } from 'typeorm';

/** A blob or child manifest that a stored manifest references (what garbage collection must keep). */
@Entity('manifest_references')
@Index('idx_manifest_references_digest', ['digest'])
export class ManifestReferenceEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  repository!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  image!: string;

  @PrimaryColumn({ type: 'varchar', length: 160 })
  manifest!: string;

  @PrimaryColumn({ type: 'varchar', length: 160 })
  digest!: string;
}
