import { type FailureQuery, LoginAttemptStore } from '../ports/login-attempt-store';

interface Entry<T> {
  value: T;
  /** When the entry may be forgotten. */
  expires: number;
}

/**
 * The login throttle's memory in one process. Bounded: past `maxKeys` keys (of failures, and of
 * successes) expired entries are dropped, and if that is not enough the least recently written half, so
 * that a flood of made-up user names or addresses cannot grow it without limit.
 */
export class MemoryLoginAttemptStore extends LoginAttemptStore {
  private readonly failed = new Map<string, Entry<number[]>>();
  private readonly succeeded = new Map<string, Entry<number>>();

  constructor(private readonly maxKeys = 20_000) {
    super();
  }

  async failures(queries: FailureQuery[]): Promise<number[][]> {
    return queries.map(({ key, since, limit }) => {
      const times = this.failed.get(key)?.value ?? [];
      const recent: number[] = [];
      for (let i = times.length - 1; i >= 0 && recent.length < limit && times[i]! > since; i--) recent.push(times[i]!);
      return recent;
    });
  }

  async addFailure(keys: string[], at: number, keepMs: number): Promise<void> {
    for (const key of keys) {
      const entry = this.failed.get(key);
      const times = (entry?.value ?? []).filter((t) => t > at - keepMs);
      // Sorted, so that reads can stop at the first one too old.
      let i = times.length;
      while (i > 0 && times[i - 1]! > at) i--;
      times.splice(i, 0, at);
      write(this.failed, key, { value: times, expires: Math.max(entry?.expires ?? 0, at + keepMs) }, this.maxKeys, at);
    }
  }

  async clearFailures(key: string): Promise<void> {
    this.failed.delete(key);
  }

  async addSuccess(key: string, at: number, keepMs: number): Promise<void> {
    const before = this.succeeded.get(key);
    if (before && before.value > at) return;
    write(this.succeeded, key, { value: at, expires: at + keepMs }, this.maxKeys, at);
  }

  async lastSuccess(key: string): Promise<number | null> {
    return this.succeeded.get(key)?.value ?? null;
  }
}

/**
 * Sets an entry as the most recently written one. Past `max` keys, expired entries go; if more than three
 * quarters of `max` remain, the least recently written go down to half (so a sweep runs at most every
 * `max / 4` writes).
 */
function write<T>(map: Map<string, Entry<T>>, key: string, entry: Entry<T>, max: number, now: number): void {
  map.delete(key);
  map.set(key, entry);
  if (map.size <= max) return;
  for (const [k, e] of map) if (e.expires <= now) map.delete(k);
  if (map.size <= (max * 3) / 4) return;
  let drop = map.size - Math.floor(max / 2);
  for (const k of map.keys()) {
    if (drop-- <= 0) break;
    map.delete(k);
  }
}
