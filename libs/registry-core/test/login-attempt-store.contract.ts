/**
 * The behaviour every LoginAttemptStore shares (memory, database). Not a test file by itself: an
 * implementation's test calls `describeLoginAttemptStoreContract(name, factory)`. The factory returns an
 * empty store; two stores from `shared` (when given) must see each other's records, as replicas do.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoginAttemptStore } from '../src/ports/login-attempt-store';

export interface LoginAttemptStoreFixture {
  store: LoginAttemptStore;
  /** A second store over the same records (another replica), when the implementation has one. */
  other?: LoginAttemptStore;
  cleanup?(): Promise<void>;
}

const MINUTE = 60_000;

export function describeLoginAttemptStoreContract(name: string, factory: () => Promise<LoginAttemptStoreFixture>): void {
  describe(`LoginAttemptStore contract: ${name}`, () => {
    const fixtures: LoginAttemptStoreFixture[] = [];
    const open = async () => {
      const fixture = await factory();
      fixtures.push(fixture);
      return fixture;
    };
    afterEach(async () => {
      for (const f of fixtures.splice(0)) await f.cleanup?.();
    });
    // Keys of one test never meet another test's, should an implementation share its storage.
    const k = (label: string) => `${label}\u0000${randomUUID()}`;
    const t0 = 1_700_000_000_000;

    it('returns the failures after `since`, newest first, at most `limit`, per query in order', async () => {
      const { store } = await open();
      const [a, b, none] = [k('a'), k('b'), k('none')];
      for (let i = 0; i < 5; i++) await store.addFailure([a], t0 + i * 1000, MINUTE);
      await store.addFailure([a, b], t0 + 10_000, MINUTE);
      const [ofA, ofB, ofNone, someOfA] = await store.failures([
        { key: a, since: t0 + 1000, limit: 100 },
        { key: b, since: 0, limit: 100 },
        { key: none, since: 0, limit: 100 },
        { key: a, since: 0, limit: 2 },
      ]);
      expect(ofA).toEqual([t0 + 10_000, t0 + 4000, t0 + 3000, t0 + 2000]);
      expect(ofB).toEqual([t0 + 10_000]);
      expect(ofNone).toEqual([]);
      expect(someOfA).toEqual([t0 + 10_000, t0 + 4000]);
      expect(await store.failures([])).toEqual([]);
    });

    it('counts two failures at the same millisecond twice', async () => {
      const { store } = await open();
      const key = k('same');
      await store.addFailure([key], t0, MINUTE);
      await store.addFailure([key], t0, MINUTE);
      expect(await store.failures([{ key, since: t0 - 1, limit: 10 }])).toEqual([[t0, t0]]);
    });

    it('clears the failures of one key only', async () => {
      const { store } = await open();
      const [a, b] = [k('a'), k('b')];
      await store.addFailure([a, b], t0, MINUTE);
      await store.clearFailures(a);
      await store.clearFailures(k('never-used'));
      expect(await store.failures([{ key: a, since: 0, limit: 10 }, { key: b, since: 0, limit: 10 }])).toEqual([[], [t0]]);
      await store.addFailure([a], t0 + 1, MINUTE);
      expect(await store.failures([{ key: a, since: 0, limit: 10 }])).toEqual([[t0 + 1]]);
    });

    it('remembers the last success per key, a later one replacing it', async () => {
      const { store } = await open();
      const [a, b] = [k('a'), k('b')];
      expect(await store.lastSuccess(a)).toBeNull();
      await store.addSuccess(a, t0, 30 * 24 * 60 * MINUTE);
      await store.addSuccess(a, t0 + 5000, 30 * 24 * 60 * MINUTE);
      expect(await store.lastSuccess(a)).toBe(t0 + 5000);
      expect(await store.lastSuccess(b)).toBeNull();
      // Successes and failures are apart: clearing failures keeps the success.
      await store.clearFailures(a);
      expect(await store.lastSuccess(a)).toBe(t0 + 5000);
    });

    it('keeps keys apart exactly (no prefix or case folding: the throttle chooses the keys)', async () => {
      const { store } = await open();
      const base = k('Key');
      await store.addFailure([base], t0, MINUTE);
      await store.addSuccess(base, t0, MINUTE);
      const [upper, longer] = await store.failures([
        { key: base.toUpperCase(), since: 0, limit: 10 },
        { key: `${base}x`, since: 0, limit: 10 },
      ]);
      expect([upper, longer]).toEqual([[], []]);
      expect(await store.lastSuccess(base.toLowerCase())).toBeNull();
    });

    it('takes keys of 512 characters, any of them', async () => {
      const { store } = await open();
      const key = `${k('long')}\u00e9\u{1F600}'"\\%_`.padEnd(512, 'z');
      await store.addFailure([key], t0, MINUTE);
      await store.addSuccess(key, t0, MINUTE);
      expect(await store.failures([{ key, since: 0, limit: 10 }])).toEqual([[t0]]);
      expect(await store.lastSuccess(key)).toBe(t0);
    });

    it('another store over the same records sees every record at once (replicas)', async (context) => {
      const { store, other } = await open();
      if (!other) return context.skip();
      const [a, b] = [k('a'), k('b')];
      await store.addFailure([a, b], t0, MINUTE);
      await other.addFailure([a], t0 + 1, MINUTE);
      expect(await other.failures([{ key: a, since: 0, limit: 10 }])).toEqual([[t0 + 1, t0]]);
      expect(await store.failures([{ key: a, since: 0, limit: 10 }])).toEqual([[t0 + 1, t0]]);
      await other.clearFailures(a);
      expect(await store.failures([{ key: a, since: 0, limit: 10 }, { key: b, since: 0, limit: 10 }])).toEqual([[], [t0]]);
      await store.addSuccess(a, t0, MINUTE);
      expect(await other.lastSuccess(a)).toBe(t0);
    });

    it('concurrent failures under one key are all counted', async () => {
      const { store, other } = await open();
      const key = k('busy');
      await Promise.all(Array.from({ length: 20 }, (_, i) => ((i % 2 && other) || store).addFailure([key], t0 + i, MINUTE)));
      const [times] = await store.failures([{ key, since: 0, limit: 100 }]);
      expect(times).toHaveLength(20);
    });
  });
}
