import type { ApiTokenRecord, RoleRecord } from '@wharf/registry-core';
import { describe, expect, it } from 'vitest';
import { describeOnEachDialect } from '../../test/database';
import { TypeOrmApiTokenStore } from './typeorm-api-token-store';
import { TypeOrmAuditLog } from './typeorm-audit-log';
import { TypeOrmRoleStore } from './typeorm-role-store';
import { TypeOrmSettings } from './typeorm-settings';

// The adapters behind the security services' ports (RoleStore, ApiTokenStore, AuditStore, SettingsStore),
// held to what the port documents, on both dialects. (UserStore: typeorm-user-store.test.ts.)

function role(id: string, extra: Partial<RoleRecord> = {}): RoleRecord {
  return { id, name: id, description: `the ${id} role`, privileges: ['nx-repository-view-docker-*-read'], roles: [], readOnly: false, ...extra };
}

function token(id: string, userId: string, createdAt: Date, extra: Partial<ApiTokenRecord> = {}): ApiTokenRecord {
  return { id, userId, name: `token ${id}`, tokenHash: id.padEnd(64, '0'), createdAt, expiresAt: null, lastUsedAt: null, ...extra };
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s, 123));

describeOnEachDialect('security stores', (db) => {
  describe('RoleStore', () => {
    it('round-trips a role (privileges and contained roles as lists, readOnly as a boolean), lists by id, replaces on save', async () => {
      const roles = new TypeOrmRoleStore(db());
      const admin = role('nx-admin', { privileges: ['nx-all'], readOnly: true });
      const dev = role('dev', { roles: ['nx-admin', 'ops'], privileges: [] });
      await roles.save(admin);
      await roles.save(dev);
      expect(await roles.get('nx-admin')).toEqual(admin);
      expect(await roles.get('dev')).toEqual(dev);
      expect((await roles.list()).map((r) => r.id)).toEqual(['dev', 'nx-admin']);
      await roles.save({ ...dev, description: 'changed', roles: [] });
      expect(await roles.get('dev')).toEqual({ ...dev, description: 'changed', roles: [] });
    });

    it('deletes once; an unknown role is null', async () => {
      const roles = new TypeOrmRoleStore(db());
      await roles.save(role('gone'));
      expect(await roles.delete('gone')).toBe(true);
      expect(await roles.delete('gone')).toBe(false);
      expect(await roles.get('gone')).toBeNull();
    });
  });

  describe('ApiTokenStore', () => {
    it('finds a token by id and by hash with its dates, lists oldest first (all, or one user\'s)', async () => {
      const tokens = new TypeOrmApiTokenStore(db());
      const a = token('a', 'ci', at(2), { expiresAt: at(100) });
      const b = token('b', 'bob', at(1));
      const c = token('c', 'ci', at(3));
      for (const t of [a, b, c]) await tokens.insert(t);
      expect(await tokens.get('a')).toEqual(a);
      expect(await tokens.byHash(c.tokenHash)).toEqual(c);
      expect(await tokens.byHash('f'.repeat(64))).toBeNull();
      expect((await tokens.list()).map((t) => t.id)).toEqual(['b', 'a', 'c']);
      expect((await tokens.list('ci')).map((t) => t.id)).toEqual(['a', 'c']);
    });

    it('refuses a second token with the same hash', async () => {
      const tokens = new TypeOrmApiTokenStore(db());
      await tokens.insert(token('a', 'ci', at(1)));
      await expect(tokens.insert({ ...token('b', 'ci', at(2)), tokenHash: 'a'.padEnd(64, '0') })).rejects.toThrow();
    });

    it('records the last use, deletes one token or all of a user\'s', async () => {
      const tokens = new TypeOrmApiTokenStore(db());
      for (const t of [token('a', 'ci', at(1)), token('b', 'ci', at(2)), token('c', 'bob', at(3))]) await tokens.insert(t);
      await tokens.touch('a', at(50));
      expect((await tokens.get('a'))?.lastUsedAt).toEqual(at(50));
      expect(await tokens.delete('c')).toBe(true);
      expect(await tokens.delete('c')).toBe(false);
      expect(await tokens.deleteForUser('ci')).toBe(2);
      expect(await tokens.list()).toEqual([]);
    });
  });

  describe('AuditStore', () => {
    it('appends with increasing ids and reads newest first, a page below `before`, details as stored', async () => {
      const audit = new TypeOrmAuditLog(db());
      const ids: number[] = [];
      for (let i = 1; i <= 5; i++) {
        ids.push(
          await audit.append({ at: at(i), actor: i === 1 ? null : 'admin', address: '127.0.0.1', action: `test.${i}`, target: null, details: { n: i, nested: { list: [i] } } }),
        );
      }
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(new Set(ids).size).toBe(5);
      const newest = await audit.list(2);
      expect(newest.map((e) => e.action)).toEqual(['test.5', 'test.4']);
      expect(newest[0]).toEqual({ id: ids[4], at: at(5), actor: 'admin', address: '127.0.0.1', action: 'test.5', target: null, details: { n: 5, nested: { list: [5] } } });
      expect((await audit.list(10, ids[2])).map((e) => e.action)).toEqual(['test.2', 'test.1']);
      expect((await audit.list(10, ids[0])).length).toBe(0);
      expect((await audit.list(10)).at(-1)?.actor).toBeNull();
    });
  });

  describe('SettingsStore', () => {
    it('answers the fallback for a key never set, JSON values as stored, and replaces on set', async () => {
      const settings = new TypeOrmSettings(db());
      expect(await settings.get('security.anonymous', { enabled: false })).toEqual({ enabled: false });
      await settings.set('security.anonymous', { enabled: true, userId: 'anonymous' });
      await settings.set('security.realms', ['NexusAuthenticatingRealm']);
      await settings.set('security.defaults', true);
      expect(await settings.get('security.anonymous', {})).toEqual({ enabled: true, userId: 'anonymous' });
      expect(await settings.get('security.realms', [])).toEqual(['NexusAuthenticatingRealm']);
      expect(await settings.get('security.defaults', false)).toBe(true);
      await settings.set('security.defaults', false);
      expect(await settings.get('security.defaults', true)).toBe(false);
    });
  });
});
