import { ChangeFeed, type ChangeListener, type ChangeTopic } from '../ports/change-feed';
import { type SharedLock, SharedLocks } from '../ports/shared-locks';
import { KeyedMutex } from '@wharf/blobstore';

/**
 * The change feed of a Wharf that is the only process on its database (SQLite): there is nobody else
 * to tell, and this process applied its own changes already.
 */
export class SingleProcessChangeFeed extends ChangeFeed {
  async publish(_topic: ChangeTopic, _detail: string): Promise<void> {}
  subscribe(_topic: ChangeTopic, _listener: ChangeListener): void {}
}

/** Shared locks when this process is the only one: a lock per key inside the process. */
export class SingleProcessLocks extends SharedLocks {
  private readonly mutex = new KeyedMutex();

  async acquire(key: string): Promise<SharedLock> {
    const release = await this.mutex.acquire(key);
    return { release: async () => release() };
  }
}
