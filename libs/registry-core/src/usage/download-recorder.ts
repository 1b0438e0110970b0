import type { ManifestDownload } from '../ports/manifest-index';

/** Where recorded pulls are written: `ManifestIndex.recordDownloads`. */
export interface DownloadSink {
  recordDownloads(downloads: ManifestDownload[]): Promise<void>;
}

export interface DownloadRecorderOptions {
  /** How often pending pulls are written (ms). */
  flushIntervalMs?: number;
  /** Pending entries that trigger a write before the interval is up (bounds memory). */
  maxPending?: number;
  onError?(err: Error): void;
  now?: () => Date;
}

/**
 * Remembers which manifest each pull served and writes the last-pulled times in batches, so that a
 * pull costs a map update, never a database write. Pulls of one manifest between two flushes become
 * one row update. A crash loses at most one interval of pull times (they only feed cleanup policies
 * and eviction, which are measured in days and in least-recently-pulled order).
 */
export class DownloadRecorder {
  private pending = new Map<string, ManifestDownload>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushIntervalMs: number;
  private readonly maxPending: number;
  private readonly now: () => Date;

  constructor(
    private readonly sink: DownloadSink,
    private readonly options: DownloadRecorderOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 30_000;
    this.maxPending = options.maxPending ?? 20_000;
    this.now = options.now ?? (() => new Date());
  }

  /** A pull of `digest` from (repository, image) happened now. */
  record(repository: string, image: string, digest: string): void {
    const key = `${repository}\u0000${image}\u0000${digest}`;
    this.pending.set(key, { repository, image, digest, at: this.now() });
    if (this.pending.size >= this.maxPending) void this.flush();
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Writes what is pending; resolves once everything recorded before the call is stored. */
  flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    // Batches are written in the order they were taken, one at a time.
    const run = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.sink.recordDownloads(batch);
      } catch (err) {
        this.options.onError?.(err as Error);
      }
    });
    this.flushing = run;
    return run;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is pending (shutdown). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
