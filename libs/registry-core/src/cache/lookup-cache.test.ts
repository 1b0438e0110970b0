import { describe, expect, it } from 'vitest';
import { LookupCache } from './lookup-cache';

describe('LookupCache', () => {
  it('keeps an answer read since the last clear', () => {
    const cache = new LookupCache<number>();
    cache.set('a', 1, cache.stamp());
    expect(cache.get('a')).toBe(1);
  });

  it('drops an answer read before a clear: a deletion announced while the lookup was under way wins', () => {
    const cache = new LookupCache<number>();
    const stamp = cache.stamp(); // the lookup starts
    cache.clear(); // the content is deleted (here or on another replica)
    cache.set('a', 1, stamp); // the lookup's answer, read before the deletion
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 2, cache.stamp());
    expect(cache.get('a')).toBe(2);
  });

  it('starts over when full', () => {
    const cache = new LookupCache<number>(2);
    for (const key of ['a', 'b', 'c']) cache.set(key, 1, cache.stamp());
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, undefined, 1]);
  });
});
