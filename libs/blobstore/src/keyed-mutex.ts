/**
 * Mutual exclusion by key inside one process: callers of one key take turns, in arrival order (the appends
 * and commit of one upload, a replica's shared lock when it is the only process).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Resolves with the release function once every earlier caller of `key` has released. */
  async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }

  /** Runs `fn` holding `key`. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(key);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Whether `key` is held or waited for. */
  isLocked(key: string): boolean {
    return this.tails.has(key);
  }

  /** Keys held or waited for (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}
