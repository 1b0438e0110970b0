import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRegistryError } from '@wharf/oci';
import { groupConfig, hostedConfig, proxyConfig } from '../test/configs';
import { MemoryRepositoryConfigs } from '../test/memory-ports';
import { openRepositoryConfigsDatabase } from '../test/repository-configs-db';
import type { DockerRepository } from './docker-repository';
import type { RepositoryConfig } from './repository-config';
import { RepositoryConflictError, type RepositoryFactory, RepositoryManager, RepositoryNotFoundError } from './repository-manager';

/** A stand-in repository: the manager only stores and hands out instances. */
interface FakeRepository extends DockerRepository {
  config: RepositoryConfig;
  generation: number;
}

function fakeFactory(): RepositoryFactory & { calls: [RepositoryConfig, RepositoryManager][] } {
  let generation = 0;
  const calls: [RepositoryConfig, RepositoryManager][] = [];
  const factory: RepositoryFactory = (config, manager) => {
    calls.push([config, manager]);
    return { name: config.name, type: config.type, config, generation: ++generation } as unknown as FakeRepository;
  };
  return Object.assign(factory, { calls });
}

const generationOf = (r: DockerRepository | undefined): number | undefined => (r as FakeRepository | undefined)?.generation;

describe(RepositoryManager.name, () => {
  let store: MemoryRepositoryConfigs;
  let factory: ReturnType<typeof fakeFactory>;
  let manager: RepositoryManager;

  beforeEach(() => {
    store = new MemoryRepositoryConfigs();
    factory = fakeFactory();
    manager = new RepositoryManager(store, factory);
  });

  describe('create', () => {
    it('stores the configuration and serves a live instance by name', async () => {
      const config = hostedConfig('docker-hosted', { httpPort: 8082 });
      await manager.create(config);
      expect(await store.get('docker-hosted')).toEqual(config);
      const instance = manager.get('docker-hosted');
      expect(instance?.name).toBe('docker-hosted');
      expect(manager.require('docker-hosted')).toBe(instance);
      expect(manager.config('docker-hosted')).toEqual(config);
      expect(factory.calls).toEqual([[config, manager]]);
    });

    it('refuses a duplicate name, leaving the first repository in place', async () => {
      await manager.create(hostedConfig('docker-hosted'));
      const first = manager.get('docker-hosted');
      await expect(manager.create(proxyConfig('docker-hosted'))).rejects.toBeInstanceOf(RepositoryConflictError);
      expect(manager.get('docker-hosted')).toBe(first);
      expect((await store.get('docker-hosted'))?.type).toBe('hosted');
      expect(store.saves).toBe(1);
      expect(factory.calls.length).toBe(1);
    });

    it("refuses a connector port that another repository holds", async () => {
      await manager.create(hostedConfig('a', { httpPort: 8082 }));
      await expect(manager.create(proxyConfig('b', 8082))).rejects.toBeInstanceOf(RepositoryConflictError);
      await expect(manager.create(proxyConfig('b', 8082))).rejects.toThrow(/8082.*\ba\b/);
      expect(manager.get('b')).toBeUndefined();
      expect(await store.get('b')).toBeNull();
    });

    it('lets any number of repositories go without a connector port', async () => {
      await manager.create(hostedConfig('a'));
      await manager.create(proxyConfig('b'));
      await manager.create(groupConfig('c', ['a', 'b']));
      expect(manager.configs().map((c) => c.name)).toEqual(['a', 'b', 'c']);
      expect(manager.byPort(0)).toBeUndefined();
    });

    it('does not register a repository the store failed to save', async () => {
      store.failNextSave = new Error('disk full');
      await expect(manager.create(hostedConfig('a', { httpPort: 8082 }))).rejects.toThrow('disk full');
      expect(manager.get('a')).toBeUndefined();
      expect(manager.byPort(8082)).toBeUndefined();
      await manager.create(hostedConfig('a', { httpPort: 8082 }));
      expect(manager.get('a')).toBeDefined();
    });

    it('does not save a repository the factory cannot build', async () => {
      const failing = new RepositoryManager(store, () => {
        throw new Error('bad configuration');
      });
      await expect(failing.create(hostedConfig('a'))).rejects.toThrow('bad configuration');
      expect(store.saves).toBe(0);
      expect(failing.get('a')).toBeUndefined();
    });

    it('refuses one of two concurrent creates of the same name', async () => {
      store.delayMs = 10;
      const results = await Promise.allSettled([manager.create(hostedConfig('a')), manager.create(proxyConfig('a'))]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
      expect(rejected?.reason).toBeInstanceOf(RepositoryConflictError);
      expect(manager.config('a')?.type).toBe((await store.get('a'))?.type);
    });

    it('refuses one of two concurrent creates on the same port', async () => {
      store.delayMs = 10;
      const results = await Promise.allSettled([
        manager.create(hostedConfig('a', { httpPort: 8082 })),
        manager.create(hostedConfig('b', { httpPort: 8082 })),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(manager.configs().filter((c) => c.docker.httpPort === 8082).length).toBe(1);
    });
  });

  describe('update', () => {
    it('replaces the configuration and the live instance', async () => {
      await manager.create(hostedConfig('a', { httpPort: 8082 }));
      const before = manager.get('a');
      const changed = hostedConfig('a', { httpPort: 8083, online: false, storage: { writePolicy: 'ALLOW_ONCE' } });
      await manager.update(changed);
      expect(manager.get('a')).not.toBe(before);
      expect(generationOf(manager.get('a'))).toBe(2);
      expect(manager.config('a')).toEqual(changed);
      expect(await store.get('a')).toEqual(changed);
      expect(manager.byPort(8083)?.name).toBe('a');
      expect(manager.byPort(8082)).toBeUndefined();
    });

    it('keeps its own port', async () => {
      await manager.create(hostedConfig('a', { httpPort: 8082 }));
      await manager.update(hostedConfig('a', { httpPort: 8082, online: false }));
      expect(manager.byPort(8082)?.online).toBe(false);
    });

    it('refuses an unknown repository', async () => {
      await expect(manager.update(hostedConfig('nope'))).rejects.toBeInstanceOf(RepositoryNotFoundError);
      expect(store.saves).toBe(0);
    });

    it('refuses to change the type', async () => {
      await manager.create(hostedConfig('a'));
      await expect(manager.update(proxyConfig('a'))).rejects.toBeInstanceOf(RepositoryConflictError);
      expect(manager.config('a')?.type).toBe('hosted');
    });

    it("refuses another repository's port, keeping the old configuration", async () => {
      await manager.create(hostedConfig('a', { httpPort: 8082 }));
      await manager.create(hostedConfig('b', { httpPort: 8083 }));
      const before = manager.get('b');
      await expect(manager.update(hostedConfig('b', { httpPort: 8082 }))).rejects.toBeInstanceOf(RepositoryConflictError);
      expect(manager.get('b')).toBe(before);
      expect(manager.byPort(8083)?.name).toBe('b');
      expect((await store.get('b'))?.docker.httpPort).toBe(8083);
    });

    it('keeps the old instance when the store fails', async () => {
      await manager.create(hostedConfig('a'));
      const before = manager.get('a');
      store.failNextSave = new Error('locked');
      await expect(manager.update(hostedConfig('a', { online: false }))).rejects.toThrow('locked');
      expect(manager.get('a')).toBe(before);
      expect(manager.config('a')?.online).toBe(true);
    });
  });

  describe('delete', () => {
    it('removes the repository, returns its configuration and frees its port', async () => {
      const config = hostedConfig('a', { httpPort: 8082 });
      await manager.create(config);
      expect(await manager.delete('a')).toEqual(config);
      expect(manager.get('a')).toBeUndefined();
      expect(manager.config('a')).toBeUndefined();
      expect(manager.byPort(8082)).toBeUndefined();
      expect(await store.get('a')).toBeNull();
      expect(store.deletes).toBe(1);
      await manager.create(proxyConfig('b', 8082));
      expect(manager.byPort(8082)?.name).toBe('b');
    });

    it('refuses an unknown repository', async () => {
      await expect(manager.delete('nope')).rejects.toBeInstanceOf(RepositoryNotFoundError);
      expect(store.deletes).toBe(0);
    });

    it('allows the name to be created again', async () => {
      await manager.create(hostedConfig('a'));
      await manager.delete('a');
      await manager.create(proxyConfig('a'));
      expect(manager.get('a')?.type).toBe('proxy');
    });
  });

  describe('groups', () => {
    beforeEach(async () => {
      await manager.create(hostedConfig('hosted'));
      await manager.create(hostedConfig('hosted-2'));
      await manager.create(proxyConfig('proxy'));
    });

    it('accepts a group of existing members with a hosted writable member', async () => {
      const config = groupConfig('group', ['hosted', 'proxy']);
      await manager.create(config);
      expect(manager.config('group')).toEqual(config);
      expect(manager.groupsContaining('hosted')).toEqual(['group']);
      expect(manager.groupsContaining('hosted-2')).toEqual([]);
    });

    it('accepts a group without a writable member', async () => {
      await manager.create({ ...groupConfig('group', ['proxy']), group: { memberNames: ['proxy'], writableMember: null } });
      expect(manager.get('group')?.type).toBe('group');
    });

    it.each<[string, string[], string | null, RegExp]>([
      ['an unknown member', ['hosted', 'nope'], 'hosted', /nope does not exist/],
      ['a member listed twice', ['hosted', 'proxy', 'hosted'], 'hosted', /twice/],
      ['itself as member', ['hosted', 'group'], 'hosted', /itself/],
      ['a writable member outside the group', ['proxy'], 'hosted', /must be one of the group's members/],
      ['a proxy as writable member', ['proxy', 'hosted'], 'proxy', /must be a hosted repository/],
    ])('refuses %s', async (_what, memberNames, writableMember, message) => {
      const config = { ...groupConfig('group'), group: { memberNames, writableMember } };
      await expect(manager.create(config)).rejects.toBeInstanceOf(RepositoryConflictError);
      await expect(manager.create(config)).rejects.toThrow(message);
      expect(manager.get('group')).toBeUndefined();
      expect(await store.get('group')).toBeNull();
    });

    it('refuses an update that would make groups contain each other', async () => {
      await manager.create(groupConfig('inner', ['hosted']));
      await manager.create(groupConfig('outer', ['hosted-2', 'inner']));
      const before = manager.get('inner');
      await expect(manager.update(groupConfig('inner', ['hosted', 'outer']))).rejects.toThrow(/cycle: inner -> outer -> inner/);
      expect(manager.get('inner')).toBe(before);
      expect(manager.config('inner')).toEqual(groupConfig('inner', ['hosted']));
    });

    it('does not let a new group and the deletion of its member interleave', async () => {
      store.delayMs = 10;
      const results = await Promise.allSettled([manager.create(groupConfig('group', ['hosted', 'proxy'])), manager.delete('proxy')]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      expect(manager.get('proxy')).toBeDefined();
      expect(manager.config('group')?.type === 'group' && manager.config('group')).toMatchObject({ group: { memberNames: ['hosted', 'proxy'] } });
    });

    it('refuses to delete a member until no group lists it', async () => {
      await manager.create(groupConfig('g1', ['hosted', 'proxy']));
      await manager.create(groupConfig('g2', ['hosted-2', 'proxy']));
      await expect(manager.delete('proxy')).rejects.toBeInstanceOf(RepositoryConflictError);
      await expect(manager.delete('proxy')).rejects.toThrow(/g1, g2/);
      expect(manager.get('proxy')).toBeDefined();
      expect(store.deletes).toBe(0);

      await manager.update(groupConfig('g1', ['hosted']));
      await manager.delete('g2');
      expect((await manager.delete('proxy')).name).toBe('proxy');
      expect(manager.groupsContaining('proxy')).toEqual([]);
    });
  });

  describe('lookups', () => {
    it('finds a repository by connector port', async () => {
      await manager.create(hostedConfig('a', { httpPort: 8082 }));
      await manager.create(proxyConfig('b', 8083));
      await manager.create(groupConfig('c', ['a', 'b'], 8084));
      expect(manager.byPort(8082)?.name).toBe('a');
      expect(manager.byPort(8083)?.name).toBe('b');
      expect(manager.byPort(8084)?.name).toBe('c');
      expect(manager.byPort(8085)).toBeUndefined();
    });

    it('answers NAME_UNKNOWN from require for an unknown repository', () => {
      let error: unknown;
      try {
        manager.require('nope');
      } catch (err) {
        error = err;
      }
      expect(isRegistryError(error)).toBe(true);
      expect((error as { code: string }).code).toBe('NAME_UNKNOWN');
      expect((error as { status: number }).status).toBe(404);
      expect(manager.get('nope')).toBeUndefined();
      expect(manager.config('nope')).toBeUndefined();
    });

    it('lists configurations sorted by name', async () => {
      for (const name of ['zeta', 'alpha', 'mid']) await manager.create(hostedConfig(name));
      expect(manager.configs().map((c) => c.name)).toEqual(['alpha', 'mid', 'zeta']);
    });
  });

  describe('load', () => {
    it('builds an instance for every stored configuration, handing the factory itself', async () => {
      const stored = [hostedConfig('a', { httpPort: 8082 }), proxyConfig('b'), groupConfig('c', ['a', 'b'], 8084)];
      const loaded = new RepositoryManager(new MemoryRepositoryConfigs(stored), factory);
      await loaded.load();
      expect(loaded.configs()).toEqual(stored);
      expect(factory.calls.map(([c, m]) => [c.name, m])).toEqual([
        ['a', loaded],
        ['b', loaded],
        ['c', loaded],
      ]);
      expect(loaded.get('c')?.type).toBe('group');
      expect(loaded.byPort(8084)?.name).toBe('c');
    });

    it('replaces what was loaded before', async () => {
      await manager.create(hostedConfig('gone'));
      store.configs.delete('gone');
      store.configs.set('fresh', hostedConfig('fresh'));
      await manager.load();
      expect(manager.get('gone')).toBeUndefined();
      expect(manager.get('fresh')).toBeDefined();
    });
  });

  describe('refresh (another process changed the store)', () => {
    it('builds a new instance from the stored configuration, or drops a deleted one', async () => {
      await manager.create(hostedConfig('a', { httpPort: 8082 }));
      const old = generationOf(manager.get('a'));
      const changed = hostedConfig('a', { httpPort: 9090 });
      store.configs.set('a', changed);
      store.configs.set('new', proxyConfig('new', 8083));
      const prepared: string[] = [];
      const prepare = async (c: RepositoryConfig) => void prepared.push(c.name);
      expect(await manager.refresh('a', prepare)).toEqual({ before: hostedConfig('a', { httpPort: 8082 }), after: changed });
      expect(generationOf(manager.get('a'))).toBeGreaterThan(old!);
      expect(manager.byPort(9090)?.name).toBe('a');
      expect(manager.byPort(8082)).toBeUndefined();
      expect(await manager.refresh('new', prepare)).toEqual({ after: proxyConfig('new', 8083) });
      expect(manager.get('new')?.type).toBe('proxy');
      expect(prepared).toEqual(['a', 'new']);
      store.configs.delete('a');
      expect(await manager.refresh('a')).toEqual({ before: changed });
      expect(manager.get('a')).toBeUndefined();
      expect(await manager.refresh('never')).toEqual({});
      expect(store.saves).toBe(1);
    });

    it('keeps the current instance when preparing fails', async () => {
      await manager.create(hostedConfig('a'));
      const current = manager.get('a');
      store.configs.set('a', hostedConfig('a', { httpPort: 9091 }));
      await expect(manager.refresh('a', () => Promise.reject(new Error('no such blob store')))).rejects.toThrow('no such blob store');
      expect(manager.get('a')).toBe(current);
    });
  });

  describe.each(['sqlite', 'postgres'] as const)('with the %s store', (dialect) => {
    let db: Awaited<ReturnType<typeof openRepositoryConfigsDatabase>>;

    beforeEach(async () => {
      db = await openRepositoryConfigsDatabase(dialect);
    });

    afterEach(async () => {
      await db.close();
    });

    it('persists create, update and delete for the next start', async () => {
      const live = new RepositoryManager(db.store, factory);
      await live.create(hostedConfig('a', { httpPort: 8082 }));
      await live.create(proxyConfig('b', 8083));
      await live.create(groupConfig('c', ['a']));
      await live.update(hostedConfig('a', { httpPort: 9082 }));
      await live.delete('b');

      const restarted = new RepositoryManager(db.store, fakeFactory());
      await restarted.load();
      expect(restarted.configs()).toEqual([hostedConfig('a', { httpPort: 9082 }), groupConfig('c', ['a'])]);
      expect(restarted.byPort(9082)?.name).toBe('a');
      expect(restarted.byPort(8083)).toBeUndefined();
    });

    it('refuses a port another process took first (two managers, one database)', async () => {
      const first = new RepositoryManager(db.store, factory);
      const second = new RepositoryManager(db.store, fakeFactory());
      await second.load();
      await first.create(hostedConfig('a', { httpPort: 8082 }));
      // The second manager has not seen 'a': the database's unique port decides.
      await expect(second.create(hostedConfig('b', { httpPort: 8082 }))).rejects.toBeInstanceOf(RepositoryConflictError);
      expect(await db.store.get('b')).toBeNull();
    });
  });
});
