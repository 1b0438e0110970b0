import { type SettingsStore } from '@wharf/registry-core';
import { SettingEntity } from '../entities';
import { TableAdapter } from './table-adapter';

/** Server-wide settings, stored as JSON by key. */
export class TypeOrmSettings extends TableAdapter(SettingEntity) implements SettingsStore {
  async get<T>(key: string, fallback: T): Promise<T> {
    const row = await this.rows.findOneBy({ key });
    return row ? (row.value as T) : fallback;
  }

  async set<T>(key: string, value: T): Promise<void> {
    await this.rows.save({ key, value });
  }
}
