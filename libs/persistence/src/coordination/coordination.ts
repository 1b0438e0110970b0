import { type ChangeFeed, type SharedLocks, SingleProcessChangeFeed, SingleProcessLocks } from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { dialectOfDataSource } from '../data-source';
import { type CoordinationOptions, PostgresCoordination } from './postgres-coordination';

/** How the Wharf processes on one database keep in step (see ChangeFeed, SharedLocks). */
export interface Coordination {
  changes: ChangeFeed;
  locks: SharedLocks;
  /** Call once the process has subscribed: changes announced since the feed opened are delivered from then on. */
  resume(): void;
  close(): Promise<void>;
}

/**
 * PostgreSQL: LISTEN/NOTIFY and session advisory locks shared by every replica. SQLite: one process
 * owns the database, so the feed tells nobody and the locks are the process's own.
 */
export async function openCoordination(db: DataSource, url: string | undefined, options: CoordinationOptions = {}): Promise<Coordination> {
  if (dialectOfDataSource(db) === 'postgres') {
    if (!url) throw new Error('a PostgreSQL database needs its URL for the coordination connection');
    const pg = await PostgresCoordination.start(url, db, options);
    return { changes: pg.changes, locks: pg.locks, resume: () => pg.resume(), close: () => pg.close() };
  }
  return { changes: new SingleProcessChangeFeed(), locks: new SingleProcessLocks(), resume: () => undefined, close: async () => {} };
}
