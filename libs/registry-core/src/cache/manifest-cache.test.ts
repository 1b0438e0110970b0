import { describe, expect, it } from 'vitest';
import { ManifestCache } from './manifest-cache';

const digest = (i: number) => `sha256:${String(i).padStart(64, '0')}`;
const manifest = (i: number) => Buffer.from(JSON.stringify({ schemaVersion: 2, nonce: i, pad: 'x'.repeat(400) }));

describe('ManifestCache', () => {
  it('keeps its own exact-size copy of a pooled or sliced Buffer, not the allocation it sits in', () => {
    const cache = new ManifestCache();
    const pooled = manifest(1);
    // Buffer.from of a short string takes a slice of Node's shared 8 KiB pool.
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    const chunk = Buffer.alloc(64 * 1024, 7);
    const sliced = chunk.subarray(1000, 1500);
    cache.set(digest(1), pooled);
    cache.set(digest(2), sliced);
    for (const [d, original] of [
      [digest(1), pooled],
      [digest(2), sliced],
    ] as const) {
      const held = cache.get(d)!;
      expect(held.equals(original)).toBe(true);
      expect(held.buffer.byteLength).toBe(held.length);
      expect(held.byteOffset).toBe(0);
    }
    // A Buffer that owns its allocation is kept as is.
    const owned = Buffer.allocUnsafeSlow(600).fill(1);
    cache.set(digest(3), owned);
    expect(cache.get(digest(3))).toBe(owned);
  });

  it('charges the bytes and a per-entry overhead, so many small manifests stay within the bound', () => {
    const cache = new ManifestCache(100_000);
    for (let i = 0; i < 10_000; i++) cache.set(digest(i), manifest(i));
    expect(cache.chargedBytes).toBeLessThanOrEqual(100_000);
    // About 430 bytes each plus the overhead: well under the 230 that the bytes alone would admit.
    expect(cache.size).toBeLessThan(170);
    expect(cache.size).toBeGreaterThan(100);
    // Least recently used go first: the newest are there.
    expect(cache.get(digest(9_999))).toBeDefined();
    expect(cache.get(digest(0))).toBeUndefined();
  });

  it('forgets an entry, giving back its charge; replacing one charges it once', () => {
    const cache = new ManifestCache();
    cache.set(digest(1), manifest(1));
    cache.set(digest(1), manifest(1));
    const one = cache.chargedBytes;
    cache.set(digest(2), manifest(2));
    cache.forget(digest(1));
    cache.forget(digest(99));
    expect(cache.get(digest(1))).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(cache.chargedBytes).toBe(one);
    cache.forget(digest(2));
    expect(cache.chargedBytes).toBe(0);
  });

  it('does not cache a manifest larger than a quarter of the bound', () => {
    const cache = new ManifestCache(1000);
    cache.set(digest(1), Buffer.alloc(300));
    expect(cache.size).toBe(0);
  });
});
