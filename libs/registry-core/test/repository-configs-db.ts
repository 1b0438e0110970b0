/** The real RepositoryConfigs adapter on each database (kept under test/: registry-core's src must not see persistence). */
import { type Dialect, TypeOrmRepositoryConfigs } from '@wharf/persistence';
import { closeTestDatabase, openTestDatabase } from '../../persistence/test/database';
import type { RepositoryConfigs } from '../src/ports';

export async function openRepositoryConfigsDatabase(dialect: Dialect): Promise<{ store: RepositoryConfigs; close(): Promise<void> }> {
  const db = await openTestDatabase(dialect);
  return { store: new TypeOrmRepositoryConfigs(db), close: () => closeTestDatabase(db) };
}
