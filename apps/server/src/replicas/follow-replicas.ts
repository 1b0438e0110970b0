import { type ChangeFeed, EVERYTHING, type RepositoryManager, type RoleStore, type UserStore } from '@wharf/registry-core';
import type { BlobStores } from '../blobstores/blob-stores';
import type { ConnectorManager } from '../connectors/connector-manager';
import type { AnonymousAccess } from '../security/domain/anonymous-access';
import type { RealmSettings } from '../security/domain/realms';
import type { SecurityModel } from '../security/domain/security-model';
import type { UsersService } from '../security/domain/users.service';
import type { KeyRing } from '../security/registry-realm/key-ring';

/** What a replica keeps in memory and refreshes when another replica announces a change. */
export interface FollowedState {
  users: { store: UserStore; service: UsersService };
  roles: RoleStore;
  model: SecurityModel;
  anonymous: AnonymousAccess;
  realms: RealmSettings;
  manager: RepositoryManager;
  connectors: ConnectorManager;
  blobStores: BlobStores;
  keys: KeyRing;
  log: { warn(message: string): void; error(message: string): void };
}

/**
 * Subscribes this replica to the other replicas' changes (docs/replicas.md lists them): users and roles
 * (the security model, remembered passwords), settings (anonymous access, realms), repositories (their
 * instances and connector ports), blob stores, content (lookup caches) and token-signing keys. Each
 * listener reads the database again, so it sees the committed state.
 */
export function followOtherReplicas(changes: ChangeFeed, s: FollowedState): void {
  changes.subscribe('users', async (userId) => {
    if (userId === EVERYTHING) {
      s.model.load(await s.users.store.list(), await s.roles.list());
      s.users.service.invalidateAll();
      return;
    }
    const record = await s.users.store.get(userId);
    if (record) s.model.setUser(record);
    else s.model.removeUser(userId);
    s.users.service.invalidate(userId);
  });

  changes.subscribe('roles', async (id) => {
    if (id === EVERYTHING) return s.model.load(await s.users.store.list(), await s.roles.list());
    const role = await s.roles.get(id);
    if (role) s.model.setRole(role);
    else s.model.removeRole(id);
  });

  changes.subscribe('settings', async () => {
    await s.anonymous.load();
    await s.realms.load();
  });

  changes.subscribe('blob-stores', (name) => (name === EVERYTHING ? s.blobStores.refreshAll() : s.blobStores.refresh(name)));

  changes.subscribe('repositories', async (name) => {
    const names = name === EVERYTHING ? await everyRepositoryName(s.manager) : [name];
    if (name === EVERYTHING) await s.blobStores.refreshAll();
    for (const repository of names) await followRepository(repository, s);
  });

  changes.subscribe('content', (name) => {
    const repositories = name === EVERYTHING ? s.manager.configs().map((c) => c.name) : [name];
    for (const repository of repositories) s.manager.get(repository)?.forgetCached?.();
  });

  changes.subscribe('token-keys', () => s.keys.reload());
}

/** The repositories known here and those stored (created elsewhere while this replica was not listening). */
async function everyRepositoryName(manager: RepositoryManager): Promise<string[]> {
  const known = manager.configs().map((c) => c.name);
  const stored = await manager.storedNames();
  return [...new Set([...known, ...stored])];
}

/** A repository changed elsewhere: a new instance here, and its connector port opened, moved or closed. */
async function followRepository(name: string, s: FollowedState): Promise<void> {
  const { after } = await s.manager.refresh(name, async (config) => {
    const store = config.storage.blobStoreName;
    // A store created on another replica just before this repository may not be open here yet.
    if (!s.blobStores.get(store)) await s.blobStores.refresh(store);
  });
  try {
    await s.connectors.follow(name, { http: after?.docker.httpPort ?? null, https: after?.docker.httpsPort ?? null });
  } catch (err) {
    s.log.error(`connector of repository ${name} not opened: ${(err as Error).message}`);
  }
}
