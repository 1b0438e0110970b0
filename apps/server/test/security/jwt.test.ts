import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenKeyStore, type TokenKeyRecord } from '@wharf/registry-core';
import { afterAll, describe, expect, it } from 'vitest';
import { JwtError, type TokenClaims, signJwt, verifyJwt } from '../../src/security/registry-realm/jwt';
import { KeyRing } from '../../src/security/registry-realm/key-ring';
import { REGISTRY_SERVICE, TOKEN_ISSUER, TokenService } from '../../src/security/registry-realm/token-service';

const key = { kid: 'k1', secret: randomBytes(32) };
const other = { kid: 'k2', secret: randomBytes(32) };
const NOW = 1_800_000_000;

function claims(extra: Partial<TokenClaims> = {}): TokenClaims {
  return {
    iss: 'issuer',
    sub: 'alice',
    aud: 'service',
    exp: NOW + 300,
    nbf: NOW - 1,
    iat: NOW,
    jti: 'j',
    access: [{ type: 'repository', name: 'repo/app', actions: ['pull'] }],
    ...extra,
  };
}

const keys = (k: Record<string, Buffer>) => (kid: string) => k[kid];
const options = { key: keys({ k1: key.secret }), issuer: 'issuer', audience: 'service', now: NOW };
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const sign = (secret: Buffer, input: string) => createHmac('sha256', secret).update(input).digest('base64url');

describe('JWT HS256 sign/verify', () => {
  it('round-trips the claims', () => {
    const token = signJwt(claims(), key);
    expect(token.split('.')).toHaveLength(3);
    expect(verifyJwt(token, options)).toMatchObject({ sub: 'alice', access: [{ type: 'repository', name: 'repo/app', actions: ['pull'] }] });
  });

  it.each<[string, () => string, Partial<typeof options>?]>([
    ['expired', () => signJwt(claims({ exp: NOW - 1 }), key)],
    ['expiring now', () => signJwt(claims({ exp: NOW }), key)],
    ['not valid yet', () => signJwt(claims({ nbf: NOW + 60 }), key)],
    ['wrong audience', () => signJwt(claims({ aud: 'another-service' }), key)],
    ['wrong issuer', () => signJwt(claims({ iss: 'someone-else' }), key)],
    ['signed with another key under a known kid', () => signJwt(claims(), { kid: 'k1', secret: other.secret })],
    ['signed with an unknown kid', () => signJwt(claims(), other)],
    [
      'alg none',
      () => {
        const token = signJwt(claims(), key).split('.');
        return `${b64({ typ: 'JWT', alg: 'none', kid: 'k1' })}.${token[1]}.`;
      },
    ],
    [
      'alg none with a signature',
      () => {
        const token = signJwt(claims(), key).split('.');
        return `${b64({ typ: 'JWT', alg: 'none', kid: 'k1' })}.${token[1]}.${token[2]}`;
      },
    ],
    [
      'alg HS512 correctly signed',
      () => {
        const h = b64({ typ: 'JWT', alg: 'HS512', kid: 'k1' });
        const p = b64(claims());
        return `${h}.${p}.${createHmac('sha512', key.secret).update(`${h}.${p}`).digest('base64url')}`;
      },
    ],
    [
      'alg RS256 (HMAC with the key as if it were public)',
      () => {
        const h = b64({ typ: 'JWT', alg: 'RS256', kid: 'k1' });
        const p = b64(claims());
        return `${h}.${p}.${sign(key.secret, `${h}.${p}`)}`;
      },
    ],
    [
      'a tampered payload (more access)',
      () => {
        const [h, , s] = signJwt(claims(), key).split('.');
        return `${h}.${b64(claims({ access: [{ type: 'repository', name: 'repo/app', actions: ['pull', 'push', 'delete'] }] }))}.${s}`;
      },
    ],
    [
      'a tampered signature',
      () => {
        const [h, p, s] = signJwt(claims(), key).split('.');
        const flipped = Buffer.from(s!, 'base64url');
        flipped[0]! ^= 1;
        return `${h}.${p}.${flipped.toString('base64url')}`;
      },
    ],
    ['a truncated signature', () => signJwt(claims(), key).slice(0, -4)],
    ['two parts', () => signJwt(claims(), key).split('.').slice(0, 2).join('.')],
    ['garbage', () => 'not-a-token'],
    [
      'a payload that is not JSON',
      () => {
        const h = b64({ typ: 'JWT', alg: 'HS256', kid: 'k1' });
        const p = Buffer.from('nope').toString('base64url');
        return `${h}.${p}.${sign(key.secret, `${h}.${p}`)}`;
      },
    ],
    [
      'no exp',
      () => {
        const h = b64({ typ: 'JWT', alg: 'HS256', kid: 'k1' });
        const { exp: _exp, ...rest } = claims();
        const p = b64(rest);
        return `${h}.${p}.${sign(key.secret, `${h}.${p}`)}`;
      },
    ],
  ])('rejects a token that is %s', (_what, make) => {
    expect(() => verifyJwt(make(), options)).toThrow(JwtError);
  });

  it('error messages never contain the token', () => {
    const token = signJwt(claims({ exp: NOW - 10 }), key);
    try {
      verifyJwt(token, options);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain(token.split('.')[2]);
    }
  });
});

/** The keys as a database would keep them (TypeOrmTokenKeys is tested with the persistence adapters). */
class MemoryTokenKeys extends TokenKeyStore {
  rows: TokenKeyRecord[] = [];
  async list(): Promise<TokenKeyRecord[]> {
    return [...this.rows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }
  async add(key: TokenKeyRecord): Promise<void> {
    this.rows.push(key);
  }
  async prune(keep: number): Promise<void> {
    this.rows = (await this.list()).slice(0, keep);
  }
}

describe('key ring and rotation', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function ring(now: () => number, store = new MemoryTokenKeys()) {
    return { store, ring: await KeyRing.load(store, { now, rotateAfterMs: 1000 }) };
  }

  it('a token signed with the previous key still verifies after a rotation; new tokens use the new key', async () => {
    let now = Date.now();
    const { ring: keys, store } = await ring(() => now);
    const tokens = new TokenService(keys, 300, () => now);
    const before = tokens.issue('alice', []);
    const oldKid = keys.current().kid;
    now += 2000;
    expect(await keys.rotateIfDue()).toBe(true);
    expect(keys.current().kid).not.toBe(oldKid);
    const fresh = new TokenService(keys, 300, () => now); // no verification cache
    expect(fresh.verify(before.token).sub).toBe('alice');
    const after = fresh.issue('bob', []);
    expect(JSON.parse(Buffer.from(after.token.split('.')[0]!, 'base64url').toString()).kid).toBe(keys.current().kid);
    expect(fresh.verify(after.token).sub).toBe('bob');
    // The keys are in the store: a new start finds them.
    const reloaded = await KeyRing.load(store, { now: () => now, rotateAfterMs: 1000 });
    expect(reloaded.kids()).toEqual(keys.kids());
    expect(store.rows).toHaveLength(2);
  });

  it('keys older than the kept generations stop verifying', async () => {
    let now = Date.now();
    const { ring: keys } = await ring(() => now);
    const tokens = () => new TokenService(keys, 10_000, () => now);
    const first = tokens().issue('alice', []);
    for (let i = 0; i < 3; i++) {
      now += 2000;
      await keys.rotate();
    }
    expect(() => tokens().verify(first.token)).toThrow(JwtError);
  });

  it('two processes on one store: a token signed by either verifies on both, across a rotation by one of them', async () => {
    let now = Date.now();
    const store = new MemoryTokenKeys();
    const a = await KeyRing.load(store, { now: () => now, rotateAfterMs: 1000 });
    const b = await KeyRing.load(store, { now: () => now, rotateAfterMs: 1000 });
    expect(b.kids()).toEqual(a.kids());
    now += 2000;
    expect(await a.rotateIfDue()).toBe(true);
    // b was not told: the first token naming the new key makes it read the keys again.
    const signedByA = new TokenService(a, 300, () => now).issue('alice', []);
    expect(() => new TokenService(b, 300, () => now).verify(signedByA.token)).toThrow(JwtError);
    await new Promise((r) => setTimeout(r, 20));
    expect(new TokenService(b, 300, () => now).verify(signedByA.token).sub).toBe('alice');
    // Due for both, but only the first to look rotates.
    now += 2000;
    expect(await b.rotateIfDue()).toBe(true);
    expect(await a.rotateIfDue()).toBe(false);
    expect(a.current().kid).toBe(b.current().kid);
  });

  it('imports the key file of older versions once, keeps its current key current, and removes the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wharf-keys-'));
    dirs.push(dir);
    const file = join(dir, 'token-keys.json');
    const old = { kid: 'old0', secret: randomBytes(32).toString('base64'), createdAt: new Date(Date.now() - 5000).toISOString() };
    const current = { kid: 'cur1', secret: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() };
    await writeFile(file, JSON.stringify({ keys: [current, old] }));
    const store = new MemoryTokenKeys();
    const keys = await KeyRing.load(store, { legacyFile: file });
    expect(keys.kids()).toEqual(['cur1', 'old0']);
    expect(keys.key('old0')?.toString('base64')).toBe(old.secret);
    await expect(stat(file)).rejects.toThrow();
  });

  it('issued tokens carry the issuer, audience, lifetime and the Docker response fields', async () => {
    const now = Date.now();
    const { ring: keys } = await ring(() => now);
    const issued = new TokenService(keys, 300, () => now).issue('alice', [{ type: 'repository', name: 'r/i', actions: ['pull'] }]);
    expect(issued.token).toBe(issued.access_token);
    expect(issued.expires_in).toBe(300);
    expect(new Date(issued.issued_at).getTime()).toBeLessThanOrEqual(now);
    const payload = JSON.parse(Buffer.from(issued.token.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ iss: TOKEN_ISSUER, aud: REGISTRY_SERVICE, sub: 'alice' });
    expect(payload.exp - payload.iat).toBe(300);
  });

  it('the verification cache stays small under a flood of live tokens, keeping the recent ones', async () => {
    const now = Date.now();
    const { ring: keys } = await ring(() => now);
    const tokens = new TokenService(keys, 300, () => now);
    const issued = Array.from({ length: 5000 }, (_, i) => tokens.issue(`user${i}`, []).token);
    for (const token of issued) tokens.verify(token);
    const cache = (tokens as unknown as { verified: Map<string, unknown> }).verified;
    expect(cache.size).toBeLessThanOrEqual(1000);
    expect(cache.has(issued[4999]!)).toBe(true);
    // A token that left the cache still verifies (and comes back).
    expect(tokens.verify(issued[0]!).sub).toBe('user0');
  });
});
