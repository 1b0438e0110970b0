import { BlobLinks } from '@wharf/registry-core';
import type { DataSource, Repository } from 'typeorm';
import { BlobLinkEntity } from '../entities';

export class TypeOrmBlobLinks extends BlobLinks {
  private readonly links: Repository<BlobLinkEntity>;

  constructor(db: DataSource) {
    super();
    this.links = db.getRepository(BlobLinkEntity);
  }

  async link(repository: string, image: string, digest: string, size: number): Promise<void> {
    await this.links
      .createQueryBuilder()
      .insert()
      .values({ repository, image, digest, size, createdAt: new Date() })
      .orIgnore()
      .execute();
  }

  async get(repository: string, image: string, digest: string): Promise<{ size: number } | null> {
    const row = await this.links.findOne({ select: { size: true }, where: { repository, image, digest } });
    return row ? { size: row.size } : null;
  }

  async inRepository(repository: string, digest: string): Promise<boolean> {
    return (await this.links.count({ where: { repository, digest }, take: 1 })) > 0;
  }

  async unlink(repository: string, image: string, digest: string): Promise<boolean> {
    const result = await this.links.delete({ repository, image, digest });
    return (result.affected ?? 0) > 0;
  }
}
