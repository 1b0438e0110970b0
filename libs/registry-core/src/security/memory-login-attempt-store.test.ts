import { describe, expect, it } from 'vitest';
import { describeLoginAttemptStoreContract } from '../../test/login-attempt-store.contract';
import { MemoryLoginAttemptStore } from './memory-login-attempt-store';

describeLoginAttemptStoreContract('MemoryLoginAttemptStore', async () => ({ store: new MemoryLoginAttemptStore() }));

describe('MemoryLoginAttemptStore bounds', () => {
  const sizes = (store: MemoryLoginAttemptStore) => {
    const inside = store as unknown as { failed: Map<string, unknown>; succeeded: Map<string, unknown> };
    return { failed: inside.failed.size, succeeded: inside.succeeded.size };
  };

  it('stays within its key limit under a flood of distinct keys, keeping the newest', async () => {
    const store = new MemoryLoginAttemptStore(1000);
    for (let i = 0; i < 50_000; i++) {
      await store.addFailure([`u${i}`], i, 60_000);
      await store.addSuccess(`s${i}`, i, 60_000);
    }
    expect(sizes(store).failed).toBeLessThanOrEqual(1000);
    expect(sizes(store).succeeded).toBeLessThanOrEqual(1000);
    expect(await store.failures([{ key: 'u49999', since: 0, limit: 1 }])).toEqual([[49_999]]);
    expect(await store.lastSuccess('s49999')).toBe(49_999);
  });

  it('drops what expired before what is still current', async () => {
    const store = new MemoryLoginAttemptStore(10);
    await store.addSuccess('long-lived', 0, 1_000_000);
    for (let i = 1; i <= 100; i++) await store.addSuccess(`brief${i}`, i * 100, 50);
    expect(await store.lastSuccess('long-lived')).toBe(0);
  });

  it('forgets failures older than keepMs when the key is written again', async () => {
    const store = new MemoryLoginAttemptStore();
    await store.addFailure(['k'], 0, 1000);
    await store.addFailure(['k'], 5000, 1000);
    const inside = store as unknown as { failed: Map<string, { value: number[] }> };
    expect(inside.failed.get('k')!.value).toEqual([5000]);
  });
});
