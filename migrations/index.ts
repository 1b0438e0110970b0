import type { MigrationInterface } from 'typeorm';
import { InitialSchema1795439921415 } from './sqlite/1795439921415-InitialSchema';
import { AddSettings1795440617726 } from './sqlite/1795440617726-AddSettings';
import { SecurityModel1795441676514 } from './sqlite/1795441676514-SecurityModel';
import { InitialSchema1796525272147 as PgInitialSchema1796525272147 } from './postgres/1796525272147-InitialSchema';
import { BlobLinkSizeBigint1796525282224 } from './sqlite/1796525282224-BlobLinkSizeBigint';
import { BlobStores1796527850730 } from './sqlite/1796527850730-BlobStores';
import { BlobStores1796527850730 as PgBlobStores1796527850730 } from './postgres/1796527850730-BlobStores';
import { StorageLifecycle1796528089901 } from './sqlite/1796528089901-StorageLifecycle';
import { StorageLifecycle1796528089901 as PgStorageLifecycle1796528089901 } from './postgres/1796528089901-StorageLifecycle';
import { TokenKeys1796535659378 } from './sqlite/1796535659378-TokenKeys';
import { TokenKeys1796535659378 as PgTokenKeys1796535659378 } from './postgres/1796535659378-TokenKeys';
import { LoginAttempts1796537300561 } from './sqlite/1796537300561-LoginAttempts';
import { LoginAttempts1796537300561 as PgLoginAttempts1796537300561 } from './postgres/1796537300561-LoginAttempts';
import { UserIdKey1796537781726 } from './sqlite/1796537781726-UserIdKey';
import { UserIdKey1796537781726 as PgUserIdKey1796537781726 } from './postgres/1796537781726-UserIdKey';

export type MigrationClass = new () => MigrationInterface;

/** The schema history of each database dialect, oldest first. */
export interface MigrationSets {
  sqlite: MigrationClass[];
  postgres: MigrationClass[];
}

/**
 * Every schema migration, per dialect, oldest first. Generated for both dialects at once by
 * `npm run migration:generate -- <Name>`, reviewed, committed (sqlite/ and postgres/).
 */
export const MIGRATIONS: MigrationSets = {
  sqlite: [InitialSchema1795439921415, AddSettings1795440617726, SecurityModel1795441676514, BlobLinkSizeBigint1796525282224, BlobStores1796527850730, StorageLifecycle1796528089901, TokenKeys1796535659378, LoginAttempts1796537300561, UserIdKey1796537781726],
  postgres: [PgInitialSchema1796525272147, PgBlobStores1796527850730, PgStorageLifecycle1796528089901, PgTokenKeys1796535659378, PgLoginAttempts1796537300561, PgUserIdKey1796537781726],
};
