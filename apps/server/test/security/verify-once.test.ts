import type { UserRecord, UserStore } from '@wharf/registry-core';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/security/domain/password-hasher';
import { SecurityModel } from '../../src/security/domain/security-model';
import { UsersService } from '../../src/security/domain/users.service';

/** A user store that counts lookups: every password check (one scrypt) starts with one. */
async function fixture() {
  const record: UserRecord = {
    userId: 'ci',
    firstName: '',
    lastName: '',
    emailAddress: '',
    passwordHash: await hashPassword('s3cret-pass'),
    status: 'active',
    roles: ['nx-admin'],
  };
  const lookups = { count: 0 };
  const store = {
    get: async (id: string) => {
      lookups.count += 1;
      return id === record.userId ? record : null;
    },
  } as unknown as UserStore;
  return { users: new UsersService(store, new SecurityModel()), lookups };
}

describe('UsersService.verify under concurrent logins', () => {
  it('checks one password once for 16 simultaneous requests (one scrypt, not 16 at 16 MiB each)', async () => {
    const { users, lookups } = await fixture();
    const results = await Promise.all(Array.from({ length: 16 }, () => users.verify('ci', 's3cret-pass')));
    expect(results).toEqual(Array(16).fill({ userId: 'ci', roles: ['nx-admin'] }));
    expect(lookups.count).toBe(1);
    expect(await users.verify('ci', 's3cret-pass')).toEqual({ userId: 'ci', roles: ['nx-admin'] });
    expect(lookups.count, 'remembered afterwards').toBe(1);
  });

  it('does not share a check between different passwords, and remembers no failure', async () => {
    const { users, lookups } = await fixture();
    const [good, bad] = await Promise.all([users.verify('ci', 's3cret-pass'), users.verify('ci', 'wrong-pass')]);
    expect(good).toEqual({ userId: 'ci', roles: ['nx-admin'] });
    expect(bad).toBeNull();
    expect(lookups.count).toBe(2);
    expect(await users.verify('ci', 'wrong-pass')).toBeNull();
    expect(lookups.count).toBe(3);
  });

  it('does not remember a check that was under way when the user was invalidated', async () => {
    const { users, lookups } = await fixture();
    const pending = users.verify('ci', 's3cret-pass');
    users.invalidate('ci');
    expect(await pending).toEqual({ userId: 'ci', roles: ['nx-admin'] });
    await users.verify('ci', 's3cret-pass');
    expect(lookups.count, 'checked again after the invalidation').toBe(2);
  });
});
