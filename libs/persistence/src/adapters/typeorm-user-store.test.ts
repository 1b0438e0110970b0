import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { UserRecord } from '@wharf/registry-core';
import { closeTestDatabase, DIALECTS, openTestDatabase } from '../../test/database';
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

describe.each(DIALECTS)(`TypeOrmUserStore on %s`, (dialect) => {
  let db: DataSource;
  let users: TypeOrmUserStore;

  beforeEach(async () => {
    db = await openTestDatabase(dialect);
    users = new TypeOrmUserStore(db);
  });

  afterEach(async () => {
    await closeTestDatabase(db);
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
