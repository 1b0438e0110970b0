import type { BlobContent, BlobInfo, BlobSource, BlobStore, WriteInProgress } from '@wharf/blobstore';

/**
 * One upstream blob being written into the blob store (hashed, verified, committed on a match), which any
 * number of clients read along while it arrives. How they follow it is the store's business (WriteInProgress):
 * each reader goes at its own pace, memory stays bounded whatever the number or speed of clients, a client
 * that goes away does not disturb the fill, and the last byte waits for the digest.
 */
export class BlobFill {
  readonly done: Promise<BlobInfo>;
  private size: number | null;
  private readonly started: Promise<WriteInProgress>;

  constructor(
    private readonly blobs: BlobStore,
    readonly digest: string,
    size: number | null,
    source: BlobSource | StoredBlob,
    onVerified?: (bytes: number) => void,
  ) {
    this.size = size;
    if (isStored(source)) {
      // Another process filled it meanwhile: nothing to write, readers read the store.
      this.started = new Promise(() => undefined);
      this.done = Promise.resolve(source.stored);
      this.size = source.stored.size;
      return;
    }
    let written = 0;
    let onStarted!: (write: WriteInProgress) => void;
    this.started = new Promise((resolve) => (onStarted = resolve));
    this.done = blobs.write(source, { digest, ...(size !== null ? { size } : {}) }, {
      onStarted,
      onProgress: (bytes) => (written = bytes),
      onVerified: () => onVerified?.(written),
    });
    this.done.then(
      (info) => (this.size = info.size),
      () => undefined,
    );
  }

  /** Size when the upstream announced it (Content-Length), else null until the fill completes. */
  get knownSize(): number | null {
    return this.size;
  }

  /**
   * The blob as content that follows the fill (once stored, read from the store). Rejects with the fill's error
   * when it failed first; null when it was stored and then deleted.
   */
  async open(): Promise<BlobContent | null> {
    // A write that the store refuses at once never starts: `done` then rejects with why.
    const write = await Promise.race([this.started, this.done.then(() => null)]);
    return write ? write.follow() : this.blobs.open(this.digest);
  }
}

/** A blob found in the store when a fill was about to fetch it (another replica stored it first). */
export interface StoredBlob {
  stored: BlobInfo;
}

function isStored(source: object): source is StoredBlob {
  return 'stored' in source && typeof (source as StoredBlob).stored === 'object';
}

/** The fills in flight, by digest: concurrent requests for one missing blob share one upstream fetch. */
export class BlobFills {
  /** From the moment a fetch is decided (before upstream answers) until the fill settles. */
  private readonly inflight = new Map<string, Promise<BlobFill | null>>();

  /** The fill of this digest already under way (or being requested upstream), if any. */
  get(digest: string): Promise<BlobFill | null> | undefined {
    return this.inflight.get(digest);
  }

  /**
   * Starts a fill unless one is under way: `fetch` opens the upstream body (null = upstream has no such blob;
   * `stored` = the blob is in the store after all, nothing to fetch). Everyone asking while the upstream request
   * is pending or the fill runs gets the same fill.
   */
  begin(
    digest: string,
    blobs: BlobStore,
    fetch: () => Promise<{ size: number | null; body: BlobSource } | StoredBlob | null>,
    onSettled?: (info: BlobInfo | null, err?: Error) => Promise<void> | void,
    onVerified?: (bytes: number) => void,
  ): Promise<BlobFill | null> {
    const existing = this.inflight.get(digest);
    if (existing) return existing;
    const forget = () => {
      if (this.inflight.get(digest) === started) this.inflight.delete(digest);
    };
    const started = (async () => {
      const source = await fetch();
      if (!source) return null;
      const fill = isStored(source) ? new BlobFill(blobs, digest, source.stored.size, source) : new BlobFill(blobs, digest, source.size, source.body, onVerified);
      // A stored fill is forgotten only after its bookkeeping (links), so a request right after finds the cached
      // blob; a failed one at once, so that the next request asks the upstream again.
      fill.done
        .then(
          async (info) => {
            await onSettled?.(info);
            forget();
          },
          (err: Error) => {
            forget();
            return onSettled?.(null, err);
          },
        )
        .catch(forget);
      return fill;
    })();
    this.inflight.set(digest, started);
    started.then((fill) => fill ?? forget(), forget);
    return started;
  }

  get size(): number {
    return this.inflight.size;
  }
}
