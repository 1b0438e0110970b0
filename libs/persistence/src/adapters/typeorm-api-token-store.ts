import type { DataSource, Repository } from 'typeorm';
import { ApiTokenEntity } from '../entities';

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  /** Hex SHA-256 of the secret; the secret itself is never stored. */
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/** API tokens of local users. */
export class TypeOrmApiTokenStore {
  private readonly rows: Repository<ApiTokenEntity>;

  constructor(db: DataSource) {
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
