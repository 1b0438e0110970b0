import { type ConfigSealer, type RepositoryConfig, type RepositoryConfigs, RepositoryConflictError } from '@wharf/registry-core';
import type { DataSource, DeepPartial } from 'typeorm';
import { BlobLinkEntity, ManifestEntity, ManifestReferenceEntity, RepositoryEntity, TagEntity, UploadSessionEntity } from '../entities';
import { isUniqueViolationOf } from '../sql/unique-violation';
import { TypeOrmNamedConfigs } from './typeorm-named-configs';

export class TypeOrmRepositoryConfigs extends TypeOrmNamedConfigs<RepositoryConfig, RepositoryEntity> implements RepositoryConfigs {
  constructor(db: DataSource, sealer?: ConfigSealer) {
    super(db, RepositoryEntity, sealer);
  }

  override async save(config: RepositoryConfig): Promise<void> {
    try {
      await super.save(config);
    } catch (err) {
      // Another writer (e.g. a second replica) took the port first: a conflict, not a database error.
      if (isUniqueViolationOf(err, 'httpPort')) {
        throw new RepositoryConflictError(`port ${config.docker.httpPort} is already the connector of another repository`);
      }
      throw err;
    }
  }

  /** `online` and `httpPort` have columns too: the port's is unique (one repository per connector). */
  protected override toRow(config: RepositoryConfig): DeepPartial<RepositoryEntity> {
    return { ...super.toRow(config), online: config.online, httpPort: config.docker.httpPort };
  }

  override async delete(name: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const owned = { repository: name };
      await tx.delete(TagEntity, owned);
      await tx.delete(ManifestReferenceEntity, owned);
      await tx.delete(ManifestEntity, owned);
      await tx.delete(BlobLinkEntity, owned);
      await tx.delete(UploadSessionEntity, owned);
      const result = await tx.delete(RepositoryEntity, { name });
      return (result.affected ?? 0) > 0;
    });
  }
}
