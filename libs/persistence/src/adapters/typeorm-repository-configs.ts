import { type ConfigSealer, type RepositoryConfig, RepositoryConfigs, RepositoryConflictError } from '@wharf/registry-core';
import { isUniqueViolationOf } from '../sql/unique-violation';
import { byteOrder } from '../dialect';
import type { DataSource, Repository } from 'typeorm';
import {
  BlobLinkEntity,
  ManifestEntity,
  ManifestReferenceEntity,
  RepositoryEntity,
  TagEntity,
  UploadSessionEntity,
} from '../entities';

const plain: ConfigSealer = { seal: (c) => c, open: (c) => c };

export class TypeOrmRepositoryConfigs extends RepositoryConfigs {
  private readonly rows: Repository<RepositoryEntity>;

  constructor(
    private readonly db: DataSource,
    private readonly sealer: ConfigSealer = plain,
  ) {
    super();
    this.rows = db.getRepository(RepositoryEntity);
  }

  async list(): Promise<RepositoryConfig[]> {
    const rows = await this.rows.createQueryBuilder('r').orderBy(byteOrder(this.db, 'r.name')).getMany();
    return rows.map((r) => this.toConfig(r));
  }

  async get(name: string): Promise<RepositoryConfig | null> {
    const row = await this.rows.findOneBy({ name });
    return row ? this.toConfig(row) : null;
  }

  async save(config: RepositoryConfig): Promise<void> {
    try {
      await this.write(config);
    } catch (err) {
      // Another writer (e.g. a second replica) took the port first: a conflict, not a database error.
      if (isUniqueViolationOf(err, 'httpPort')) {
        throw new RepositoryConflictError(`port ${config.docker.httpPort} is already the connector of another repository`);
      }
      throw err;
    }
  }

  private async write(config: RepositoryConfig): Promise<void> {
    await this.rows.save({
      name: config.name,
      type: config.type,
      online: config.online,
      httpPort: config.docker.httpPort,
      config: JSON.stringify(this.sealer.seal(config)),
    });
  }

  async delete(name: string): Promise<boolean> {
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

  private toConfig(row: RepositoryEntity): RepositoryConfig {
    return this.sealer.open(JSON.parse(row.config) as RepositoryConfig);
  }
}
