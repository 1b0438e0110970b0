import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileBlobStore } from '@wharf/blobstore';
import { MIGRATIONS } from '@wharf/migrations';
import {
  TypeOrmBlobLinks,
  TypeOrmManifestIndex,
  TypeOrmRepositoryConfigs,
  TypeOrmSettings,
  TypeOrmTagIndex,
  TypeOrmUploadSessions,
  openDatabase,
} from '@wharf/persistence';
import { Logger } from '@nestjs/common';
import {
  BlobFills,
  type DockerRepository,
  GroupRepository,
  HostedRepository,
  ManifestCache,
  ProxyRepository,
  ProxyState,
  RegistryClient,
  type RepositoryConfig,
  RepositoryManager,
} from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { AnonymousAccess } from './auth/anonymous-access';
import { type Security, createSecurity } from './auth/security';
import type { WharfConfig } from './config/config';
import { configSealer } from './secrets/config-sealer';
import { SecretBox } from './secrets/secret-box';

/** The domain objects of one Wharf instance, wired to their storage. Nothing here knows about HTTP. */
export interface WharfCore {
  db: DataSource;
  blobs: FileBlobStore;
  tags: TypeOrmTagIndex;
  manifests: TypeOrmManifestIndex;
  manager: RepositoryManager;
  anonymous: AnonymousAccess;
  uploads: TypeOrmUploadSessions;
  settings: TypeOrmSettings;
  security: Security;
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
  const fills = new BlobFills();
  // Proxy health and counters outlive the repository instance, which is rebuilt on every update.
  const proxyStates = new Map<string, ProxyState>();
  const proxyLog = new Logger('Proxy');
  const groupLog = new Logger('Group');
  const factory = (repo: RepositoryConfig, manager: RepositoryManager): DockerRepository => {
    switch (repo.type) {
      case 'hosted':
        return new HostedRepository(repo, { blobs, manifests, tags, links, uploads, manifestCache });
      case 'proxy': {
        const state = proxyStates.get(repo.name) ?? new ProxyState();
        proxyStates.set(repo.name, state);
        const auth = repo.httpClient.authentication;
        const client = new RegistryClient({
          remoteUrl: repo.proxy.remoteUrl,
          credentials: auth ? { username: auth.username, password: auth.password } : null,
          onRequest: (kind) => state.countRequest(kind),
        });
        return new ProxyRepository(repo, { blobs, manifests, tags, links, manifestCache, fills, client, state, log: proxyLog });
      }
      case 'group':
        return new GroupRepository(repo, {
          resolve: (name) => manager.get(name),
          remoteHost: (name) => {
            const member = manager.config(name);
            return member?.type === 'proxy' ? new URL(member.proxy.remoteUrl).host : undefined;
          },
          log: groupLog,
        });
    }
  };
  const box = await SecretBox.load(join(config.dataDir, 'secrets', 'config.key'));
  const manager = new RepositoryManager(new TypeOrmRepositoryConfigs(db, configSealer(box)), factory);
  await manager.load();
  const settings = new TypeOrmSettings(db);
  const anonymous = new AnonymousAccess(settings);
  await anonymous.load();
  const security = await createSecurity(db, settings, config.dataDir, config.loginThrottle);
  return { db, blobs, tags, manifests, manager, anonymous, uploads, settings, security };
}
