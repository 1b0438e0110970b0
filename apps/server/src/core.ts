import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileBlobStore } from '@wharf/blobstore';
import { MIGRATIONS } from '@wharf/migrations';
import {
  TypeOrmBlobLinks,
  TypeOrmManifestIndex,
  TypeOrmRepositoryConfigs,
  TypeOrmTagIndex,
  TypeOrmUploadSessions,
  TypeOrmUserStore,
  openDatabase,
} from '@wharf/persistence';
import {
  type DockerRepository,
  HostedRepository,
  ManifestCache,
  type RepositoryConfig,
  RepositoryManager,
} from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import type { WharfConfig } from './config/config';

/** The domain objects of one Wharf instance, wired to their storage. Nothing here knows about HTTP. */
export interface WharfCore {
  db: DataSource;
  blobs: FileBlobStore;
  tags: TypeOrmTagIndex;
  manifests: TypeOrmManifestIndex;
  users: TypeOrmUserStore;
  manager: RepositoryManager;
}

export async function createCore(config: WharfConfig): Promise<WharfCore> {
  await mkdir(config.dataDir, { recursive: true });
  const db = await openDatabase({
    sqlitePath: join(config.dataDir, 'wharf.db'),
    migrations: MIGRATIONS,
    ...(config.databaseUrl ? { url: config.databaseUrl } : {}),
    logging: config.logLevel === 'debug',
  });
  const blobs = new FileBlobStore({ root: join(config.dataDir, 'blobs') });
  await blobs.init();
  const tags = new TypeOrmTagIndex(db);
  const manifests = new TypeOrmManifestIndex(db);
  const links = new TypeOrmBlobLinks(db);
  const uploads = new TypeOrmUploadSessions(db);
  const manifestCache = new ManifestCache();
  const factory = (repo: RepositoryConfig): DockerRepository => {
    switch (repo.type) {
      case 'hosted':
        return new HostedRepository(repo, { blobs, manifests, tags, links, uploads, manifestCache });
      case 'proxy':
      case 'group':
        throw new Error(`${repo.type} repositories are not available in this build`);
    }
  };
  const manager = new RepositoryManager(new TypeOrmRepositoryConfigs(db), factory);
  await manager.load();
  return { db, blobs, tags, manifests, users: new TypeOrmUserStore(db), manager };
}
