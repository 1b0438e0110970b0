import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '@wharf/blobstore';
import { SingleProcessLocks } from './single-process';

describe('KeyedMutex and SingleProcessLocks (one Wharf on SQLite)', () => {
  it('lets callers of one key in one at a time, in arrival order; other keys are free', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const worker = async (name: string, key: string) => {
      const release = await mutex.acquire(key);
      order.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 10));
      order.push(`${name} out`);
      release();
    };
    await Promise.all([worker('a', 'k'), worker('b', 'k'), worker('c', 'other'), worker('d', 'k')]);
    const onK = order.filter((e) => !e.startsWith('c'));
    expect(onK).toEqual(['a in', 'a out', 'b in', 'b out', 'd in', 'd out']);
    expect(order.indexOf('c in')).toBeLessThan(order.indexOf('a out'));
    expect(mutex.size).toBe(0);
  });

  it('hands a lock to the next waiter once released, and releasing twice does not let two in', async () => {
    const locks = new SingleProcessLocks();
    const first = await locks.acquire('k');
    let secondIn = false;
    const second = locks.acquire('k').then((l) => ((secondIn = true), l));
    const third = locks.acquire('k');
    await first.release();
    await first.release();
    const held = await second;
    expect(secondIn).toBe(true);
    let thirdIn = false;
    void third.then(() => (thirdIn = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(thirdIn).toBe(false);
    await held.release();
    await (await third).release();
  });
});
