import { type ApiTokenRecord, ApiTokenStore } from '@wharf/registry-core';
import type { DataSource, Repository } from 'typeorm';
import { ApiTokenEntity } from '../entities';

/** API tokens of local users. */
export class TypeOrmApiTokenStore extends ApiTokenStore {
  private readonly rows: Repository<ApiTokenEntity>;

  constructor(db: DataSource) {
    super();
    this.rows = db.getRepository(ApiTokenEntity);
  }

  async insert(token: ApiTokenRecord): Promise<void> {
    await this.rows.insert(token);
  }

  async get(id: string): Promise<ApiTokenRecord | null> {
    return this.rows.findOneBy({ id });
  }

  async byHash(tokenHash: string): Promise<ApiTokenRecord | null> {
    return this.rows.findOneBy({ tokenHash });
  }

  /** Every token, or one user's, oldest first. */
  async list(userId?: string): Promise<ApiTokenRecord[]> {
    return this.rows.find({ where: userId === undefined ? {} : { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.rows.update({ id }, { lastUsedAt: at });
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.rows.delete({ id })).affected ?? 0) > 0;
  }

  async deleteForUser(userId: string): Promise<number> {
    return (await this.rows.delete({ userId })).affected ?? 0;
  }
}
