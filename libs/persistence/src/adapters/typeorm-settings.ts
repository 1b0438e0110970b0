import { SettingsStore } from '@wharf/registry-core';
import type { DataSource, Repository } from 'typeorm';
import { SettingEntity } from '../entities';

/** Server-wide settings, stored as JSON by key. */
export class TypeOrmSettings extends SettingsStore {
  private readonly rows: Repository<SettingEntity>;

  constructor(db: DataSource) {
    super();
    this.rows = db.getRepository(SettingEntity);
  }

  async get<T>(key: string, fallback: T): Promise<T> {
    const row = await this.rows.findOneBy({ key });
    return row ? (JSON.parse(row.value) as T) : fallback;
  }

  async set<T>(key: string, value: T): Promise<void> {
    await this.rows.save({ key, value: JSON.stringify(value) });
  }
}
