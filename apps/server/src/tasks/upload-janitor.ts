import type { UploadStore } from '@wharf/blobstore';
import type { UploadSessions } from '@wharf/registry-core';

/** Uploads idle this long are abandoned (Docker restarts a failed layer upload from scratch). */
export const UPLOAD_MAX_IDLE_MS = 24 * 60 * 60 * 1000;

/**
 * Removes abandoned upload sessions: their bytes (by last write) and their ownership records.
 * Sessions survive restarts so clients can resume; this bounds what they cost.
 */
export class UploadJanitor {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly data: UploadStore,
    private readonly sessions: UploadSessions,
    private readonly log: { log(message: string): void; error(message: string): void },
  ) {}

  async sweep(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - UPLOAD_MAX_IDLE_MS);
    const removed = await this.data.purge(cutoff);
    for (const id of removed) await this.sessions.delete(id);
    // Records whose bytes are gone (or never arrived) are stale too.
    for (const session of await this.sessions.olderThan(cutoff)) {
      if ((await this.data.size(session.id)) === null) await this.sessions.delete(session.id);
    }
    if (removed.length > 0) this.log.log(`removed ${removed.length} abandoned upload(s)`);
    return removed.length;
  }

  start(intervalMs = 60 * 60 * 1000): void {
    const run = () => this.sweep().catch((err: Error) => this.log.error(`upload cleanup failed: ${err.message}`));
    void run();
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
