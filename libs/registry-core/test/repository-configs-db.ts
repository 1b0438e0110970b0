/** The real RepositoryConfigs adapter on SQLite :memory: (kept under test/: registry-core's src must not see persistence). */
import { MIGRATIONS } from '@wharf/migrations';
import { TypeOrmRepositoryConfigs, openDatabase } from '@wharf/persistence';
import type { RepositoryConfigs } from '../src/ports';

export async function openRepositoryConfigsDatabase(): Promise<{ store: RepositoryConfigs; close(): Promise<void> }> {
  const db = await openDatabase({ sqlitePath: ':memory:', migrations: MIGRATIONS });
  return { store: new TypeOrmRepositoryConfigs(db), close: () => db.destroy() };
}
