import { type BlobStoreConfig, BlobStoreConfigs, type BlobStoreConfigSealer } from '@wharf/registry-core';
import type { DataSource, Repository } from 'typeorm';
import { byteOrder } from '../dialect';
import { BlobStoreEntity } from '../entities';

const plain: BlobStoreConfigSealer = { seal: (c) => c, open: (c) => c };

export class TypeOrmBlobStoreConfigs extends BlobStoreConfigs {
  private readonly rows: Repository<BlobStoreEntity>;

  constructor(
    private readonly db: DataSource,
    private readonly sealer: BlobStoreConfigSealer = plain,
  ) {
    super();
    this.rows = db.getRepository(BlobStoreEntity);
  }

  async list(): Promise<BlobStoreConfig[]> {
    const rows = await this.rows.createQueryBuilder('s').orderBy(byteOrder(this.db, 's.name')).getMany();
    return rows.map((r) => this.toConfig(r));
  }

  async get(name: string): Promise<BlobStoreConfig | null> {
    const row = await this.rows.findOneBy({ name });
    return row ? this.toConfig(row) : null;
  }

  async save(config: BlobStoreConfig): Promise<void> {
    await this.rows.save({ name: config.name, type: config.type, config: JSON.stringify(this.sealer.seal(config)) });
  }

  async delete(name: string): Promise<boolean> {
    return ((await this.rows.delete({ name })).affected ?? 0) > 0;
  }

  private toConfig(row: BlobStoreEntity): BlobStoreConfig {
    return this.sealer.open(JSON.parse(row.config) as BlobStoreConfig);
  }
}
