import { describe, expect, it } from 'vitest';
import { describeLoginAttemptStoreContract } from '../../../registry-core/test/login-attempt-store.contract';
import { DIALECTS, closeTestDatabase, openTestDatabase } from '../../test/database';
import { TypeOrmLoginAttemptStore } from './typeorm-login-attempt-store';

// The database LoginAttemptStore on both dialects; `other` is a second adapter on the same database, as
// another replica would have.
for (const dialect of DIALECTS) {
  describeLoginAttemptStoreContract(`TypeOrmLoginAttemptStore on ${dialect}`, async () => {
    const db = await openTestDatabase(dialect);
    return { store: new TypeOrmLoginAttemptStore(db), other: new TypeOrmLoginAttemptStore(db), cleanup: () => closeTestDatabase(db) };
  });
}

describe.each(DIALECTS)('TypeOrmLoginAttemptStore on %s: what it keeps', (dialect) => {
  it('holds no user name or address in clear, and deletes expired rows as it writes', async () => {
    const db = await openTestDatabase(dialect);
    try {
      const store = new TypeOrmLoginAttemptStore(db);
      await store.addFailure(['ua\u0000alice\u0000192.0.2.1'], 1000, 60_000);
      await store.addSuccess('known\u0000alice\u0000192.0.2.1', 1000, 60_000);
      const rows: { keyHash: string }[] = [
        ...(await db.query('SELECT "keyHash" FROM login_failures')),
        ...(await db.query('SELECT "keyHash" FROM login_successes')),
      ];
      expect(rows.map((r) => r.keyHash)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), expect.stringMatching(/^[0-9a-f]{64}$/)]);
      // A flood of one-off keys a long time later: the expired rows go, only about the last sweep's worth stays.
      for (let i = 0; i < 200; i++) await store.addFailure([`a\u0000198.51.100.${i}`], 1_000_000 + i, 60_000);
      const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM login_failures WHERE at < 100000');
      expect(Number(n)).toBe(0);
      const [{ s }] = await db.query('SELECT COUNT(*) AS s FROM login_successes');
      expect(Number(s)).toBe(0);
    } finally {
      await closeTestDatabase(db);
    }
  });
});
