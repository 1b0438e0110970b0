import type { SharedLocks } from '@wharf/registry-core';

/** Runs `work` while holding the shared lock `key` (no other process on the database runs work under it meanwhile). */
export async function exclusive<T>(locks: SharedLocks, key: string, work: () => Promise<T>): Promise<T> {
  const lock = await locks.acquire(key);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
