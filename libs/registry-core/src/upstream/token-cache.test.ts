import { describe, expect, it, vi } from 'vitest';
import { TokenCache, tokenReuseMs } from './token-cache';

describe('TokenCache', () => {
  it('reuses a token until its lifetime minus the margin', async () => {
    let now = 1_000_000;
    const cache = new TokenCache(() => now);
    let n = 0;
    const fetch = vi.fn(async () => ({ token: `t${++n}`, expiresInSeconds: 60 }));
    expect(await cache.get('k', fetch)).toBe('t1');
    now += tokenReuseMs(60) - 1;
    expect(await cache.get('k', fetch)).toBe('t1');
    now += 1;
    expect(await cache.get('k', fetch)).toBe('t2');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('margin: 20 % of short lifetimes, at most 30 s', () => {
    expect(tokenReuseMs(60)).toBe(48_000);
    expect(tokenReuseMs(300)).toBe(270_000);
    expect(tokenReuseMs(3600)).toBe(3_570_000);
  });

  it('shares one fetch between concurrent callers and keys scopes apart', async () => {
    const cache = new TokenCache();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fetch = vi.fn(async () => {
      await gate;
      return { token: 'shared', expiresInSeconds: 300 };
    });
    const all = Promise.all(Array.from({ length: 10 }, () => cache.get('a', fetch)));
    release();
    expect(await all).toEqual(Array(10).fill('shared'));
    expect(fetch).toHaveBeenCalledTimes(1);
    await cache.get('b', async () => ({ token: 'other', expiresInSeconds: 300 }));
    expect(cache.size).toBe(2);
  });

  it('does not return a token reported stale, and failures are not cached', async () => {
    const cache = new TokenCache();
    await cache.get('k', async () => ({ token: 'old', expiresInSeconds: 300 }));
    expect(await cache.get('k', async () => ({ token: 'new', expiresInSeconds: 300 }), 'old')).toBe('new');
    await expect(cache.get('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('x', async () => ({ token: 'ok', expiresInSeconds: 300 }))).toBe('ok');
  });
});
