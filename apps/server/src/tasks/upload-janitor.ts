import type { UploadStore } from '@wharf/blobstore';
import type { UploadSessions } from '@wharf/registry-core';

/** Uploads idle this long are abandoned (Docker restarts a failed layer upload from scratch). */
export const UPLOAD_MAX_IDLE_MS = 24 * 60 * 60 * 1000;

/**
 * Removes abandoned upload sessions: their bytes (by last write, in every blob store) and their
 * ownership records. Sessions survive restarts so clients can resume; this bounds what they cost.
 * Run by the `upload-purge` task (lifecycle-tasks.ts).
 */
export class UploadJanitor {
  constructor(
    /** The upload stores of every blob store (asked at each sweep: stores are added at run time). */
    private readonly stores: () => UploadStore[],
    private readonly sessions: UploadSessions,
    private readonly log: { log(message: string): void; error(message: string): void },
  ) {}

  async sweep(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - UPLOAD_MAX_IDLE_MS);
    const stores = this.stores();
    const removed: string[] = [];
    for (const store of stores) removed.push(...(await store.purge(cutoff)));
    for (const id of removed) await this.sessions.delete(id);
    // Records whose bytes are gone (or never arrived) are stale too.
    for (const session of await this.sessions.olderThan(cutoff)) {
      const sizes = await Promise.all(stores.map((store) => store.size(session.id)));
      if (sizes.every((size) => size === null)) await this.sessions.delete(session.id);
    }
    if (removed.length > 0) this.log.log(`removed ${removed.length} abandoned upload(s)`);
    return removed.length;
  }
}
