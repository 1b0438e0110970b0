import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeOnEachDialect } from '../../test/database';
import { TokenKeyEntity } from '../entities';
import { TypeOrmTokenKeys } from './typeorm-token-keys';

/** A sealer that marks what it sealed, so the test sees that rows never hold the plain secret. */
const sealer = {
  seal: (plain: string) => `sealed:${Buffer.from(plain).toString('hex')}`,
  open: (sealed: string) => Buffer.from(sealed.slice('sealed:'.length), 'hex').toString(),
};

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s, 250));

describeOnEachDialect('TypeOrmTokenKeys', (db) => {
  it('lists keys newest first with their secrets and times; rows hold the secret sealed only', async () => {
    const keys = new TypeOrmTokenKeys(db(), sealer);
    const old = { kid: 'k-old', secret: randomBytes(32), createdAt: at(1) };
    const current = { kid: 'k-new', secret: randomBytes(32), createdAt: at(2) };
    await keys.add(old);
    await keys.add(current);
    expect(await keys.list()).toEqual([current, old]);
    const rows = await db().getRepository(TokenKeyEntity).find();
    for (const row of rows) {
      expect(row.secret.startsWith('sealed:')).toBe(true);
      expect(row.secret).not.toContain(current.secret.toString('base64'));
    }
  });

  it('prune keeps the newest keys only; a kid is unique', async () => {
    const keys = new TypeOrmTokenKeys(db(), sealer);
    for (let i = 1; i <= 4; i++) await keys.add({ kid: `k${i}`, secret: randomBytes(32), createdAt: at(i) });
    await keys.prune(2);
    expect((await keys.list()).map((k) => k.kid)).toEqual(['k4', 'k3']);
    await keys.prune(5);
    expect(await keys.list()).toHaveLength(2);
    await expect(keys.add({ kid: 'k4', secret: randomBytes(32), createdAt: at(9) })).rejects.toThrow();
  });
});
