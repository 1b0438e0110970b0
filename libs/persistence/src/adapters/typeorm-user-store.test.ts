import { join } from 'node:path';
import { MIGRATIONS, type MigrationClass } from '@wharf/migrations';
import { beforeEach, describe, expect, it } from 'vitest';
import { UserIdTakenError, type UserRecord } from '@wharf/registry-core';
import { createPostgresDatabase, dropPostgresDatabase } from '../../../../test/services/databases';
import { closeTestDatabase, describeOnEachDialect, DIALECTS, openTestDatabase, tempDir } from '../../test/database';
import { openDatabase } from '../data-source';
import { TypeOrmUserStore } from './typeorm-user-store';

function user(userId: string, extra: Partial<UserRecord> = {}): UserRecord {
  return {
    userId,
    firstName: 'Ada',
    lastName: 'Lovelace',
    emailAddress: `${userId}@example.org`,
    passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
    status: 'active',
    roles: ['nx-admin'],
    ...extra,
  };
}

describeOnEachDialect('TypeOrmUserStore', (db) => {
  let users: TypeOrmUserStore;

  beforeEach(() => {
    users = new TypeOrmUserStore(db());
  });

  it('round-trips a user, roles as a list', async () => {
    const u = user('admin', { roles: ['nx-admin', 'nx-anonymous'] });
    await users.save(u);
    expect(await users.get('admin')).toEqual(u);
  });

  it('keeps a user without password and with no roles', async () => {
    const u = user('ldap-only', { passwordHash: null, roles: [] });
    await users.save(u);
    expect(await users.get('ldap-only')).toEqual(u);
  });

  it('keeps a disabled user disabled', async () => {
    await users.save(user('gone', { status: 'disabled' }));
    expect((await users.get('gone'))?.status).toBe('disabled');
  });

  it('answers null for an unknown user', async () => {
    expect(await users.get('nobody')).toBeNull();
  });

  it('replaces a user on save', async () => {
    await users.save(user('dev'));
    const changed = user('dev', { firstName: 'Grace', roles: ['nx-developer'], passwordHash: 'scrypt$new' });
    await users.save(changed);
    expect(await users.get('dev')).toEqual(changed);
    expect((await users.list()).length).toBe(1);
  });

  it('lists users by id', async () => {
    for (const id of ['zed', 'anna', 'Bob', 'carl']) await users.save(user(id));
    expect((await users.list()).map((u) => u.userId)).toEqual(['Bob', 'anna', 'carl', 'zed']);
  });

  it('deletes a user, telling whether it existed', async () => {
    await users.save(user('dev'));
    expect(await users.delete('dev')).toBe(true);
    expect(await users.delete('dev')).toBe(false);
    expect(await users.get('dev')).toBeNull();
  });
});

describe.each(DIALECTS)('user ids unique regardless of case on %s', (dialect) => {
  it('the database refuses a second id that differs only in case (as replicas creating both at once would)', async () => {
    const db = await openTestDatabase(dialect);
    try {
      const users = new TypeOrmUserStore(db);
      const other = new TypeOrmUserStore(db);
      await users.save(user('Carol.Case'));
      for (const id of ['carol.case', 'CAROL.CASE', 'cAROL.cASE']) {
        await expect(other.save(user(id))).rejects.toThrow(UserIdTakenError);
      }
      // Two creations racing on two adapters: exactly one wins.
      const results = await Promise.allSettled([users.save(user('dave')), other.save(user('DAVE'))]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof UserIdTakenError)).toHaveLength(1);
      // Replacing the user itself is not a conflict.
      await users.save(user('Carol.Case', { firstName: 'Carol' }));
      expect((await users.list()).map((u) => u.userId.toLowerCase()).sort()).toEqual(['carol.case', 'dave']);
    } finally {
      await closeTestDatabase(db);
    }
  });

  it('the migration keeps users stored before the rule (ADMIN next to admin): both work, no new id may join them', async () => {
    const until = (set: MigrationClass[]) => set.slice(0, set.findIndex((m) => m.name.startsWith('UserIdKey')));
    const before = { sqlite: until(MIGRATIONS.sqlite), postgres: until(MIGRATIONS.postgres) };
    const dir = await tempDir();
    const url = dialect === 'postgres' ? await createPostgresDatabase({ empty: true }) : undefined;
    const options = { sqlitePath: join(dir.dir, 'wharf.db'), ...(url ? { url } : {}) };
    try {
      const old = await openDatabase({ ...options, migrations: before });
      // Rows as the older schema held them (the entity has a column more now).
      const insert = `INSERT INTO users ("userId", "passwordHash", roles) VALUES (${dialect === 'postgres' ? '$1, $2, $3' : '?, ?, ?'})`;
      for (const id of ['admin', 'ADMIN', 'Admin', 'bob']) await old.query(insert, [id, user(id).passwordHash, '["nx-admin"]']);
      await old.destroy();
      const db = await openDatabase({ ...options, migrations: MIGRATIONS });
      try {
        const users = new TypeOrmUserStore(db);
        expect((await users.list()).map((u) => u.userId).sort()).toEqual(['ADMIN', 'Admin', 'admin', 'bob']);
        const keys: { userIdKey: string | null }[] = await db.query('SELECT "userIdKey" FROM users');
        expect(keys.map((k) => k.userIdKey).sort()).toEqual(['admin', 'bob', null, null]);
        // Each legacy user may still be changed; no new spelling of either id may be added.
        await users.save(user('ADMIN', { status: 'disabled' }));
        await users.save(user('admin', { firstName: 'Root' }));
        expect((await users.get('ADMIN'))?.status).toBe('disabled');
        await expect(users.save(user('aDmIn'))).rejects.toThrow(UserIdTakenError);
        await expect(users.save(user('BOB'))).rejects.toThrow(UserIdTakenError);
      } finally {
        await db.destroy();
      }
    } finally {
      await dir.remove();
      if (url) await dropPostgresDatabase(url);
    }
  });
});
