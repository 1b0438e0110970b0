import { type ApiTokenRecord, type ApiTokenStore } from '@wharf/registry-core';
import { ApiTokenEntity } from '../entities';
import { TableAdapter } from './table-adapter';

/** API tokens of local users. */
export class TypeOrmApiTokenStore extends TableAdapter(ApiTokenEntity) implements ApiTokenStore {
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
