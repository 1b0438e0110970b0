/** A lock held (see {@link SharedLocks}). */
export interface SharedLock {
  /** Lets the next waiter in, in this process or another. Releasing twice is harmless. */
  release(): Promise<void>;
}

/**
 * Port: named locks that hold across every Wharf process sharing the database, so that work done
 * once for all of them (one upstream fetch of a cold blob or tag, first-start defaults) is done by
 * one process while the others wait and then use its result. A lock dies with the process holding
 * it (a crash frees it at once; nothing to expire). Keys are free-form strings.
 */
export abstract class SharedLocks {
  /** Waits until no process holds `key`, then holds it until released. */
  abstract acquire(key: string): Promise<SharedLock>;
}
