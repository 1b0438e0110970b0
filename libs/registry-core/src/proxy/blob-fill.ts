import { Readable, type Writable } from 'node:stream';
import type { BlobInfo, BlobStore, SocketBody, Spool, SpoolReader } from '@wharf/blobstore';

const READ_CHUNK = 1024 * 1024;
const SEND_CHUNK = 256 * 1024;
const SEND_BUFFERS = 4;

/** One client's view of a fill: a stream, the faster `sendTo`, or (when present) sendfile(2) to a socket; use one. */
export interface FillRead {
  readonly stream: Readable;
  sendTo(destination: Writable): Promise<void>;
  /** As BlobHandle.sendToSocket: false, having sent nothing, when it cannot (then use another way). */
  sendToSocket?(socketFd: number): Promise<boolean>;
}

/**
 * One upstream blob being written into the blob store (hashed, verified, committed on a match),
 * which any number of clients read along while it arrives. Each reader follows the temporary
 * file at its own pace, so memory stays bounded whatever the number or speed of clients, and a
 * client that goes away does not disturb the fill. The final byte is held back until the digest
 * is verified: a corrupt blob never reaches a client as a complete response.
 */
export class BlobFill {
  readonly done: Promise<BlobInfo>;
  private written = 0;
  private state: 'running' | 'committed' | 'failed' = 'running';
  /** The digest matched: every byte may go out, even before fsync and rename finish. */
  private verified = false;
  private error: Error | undefined;
  private spool: Spool | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    blobs: BlobStore,
    readonly digest: string,
    private size: number | null,
    source: Readable | SocketBody,
    onVerified?: (bytes: number) => void,
  ) {
    this.done = blobs
      .write(source, { digest, ...(size !== null ? { size } : {}) }, {
        onProgress: (bytes) => {
          this.written = bytes;
          this.wake();
        },
        onSpool: (spool) => {
          this.spool = spool;
          this.wake();
        },
        onVerified: () => {
          this.verified = true;
          onVerified?.(this.written);
          this.wake();
        },
      })
      .then(
        (info) => {
          this.size = info.size;
          this.state = 'committed';
          this.wake();
          return info;
        },
        (err: unknown) => {
          this.error = err instanceof Error ? err : new Error(String(err));
          this.state = 'failed';
          this.wake();
          throw this.error;
        },
      );
    this.done.catch(() => undefined);
  }

  /** Size when the upstream announced it (Content-Length), else null until the fill completes. */
  get knownSize(): number | null {
    return this.size;
  }

  get bytesWritten(): number {
    return this.written;
  }

  /**
   * Bytes [start, end] read along the fill, as a stream or sent with reused buffers (`sendTo`). null when the
   * temporary file is already gone (committed: read the blob store instead; failed: the error is on `done`).
   */
  async open(start = 0, end?: number): Promise<FillRead | null> {
    while (!this.spool && this.state === 'running') await this.next();
    if (!this.spool) return null;
    const reader = await this.spool.open();
    if (!reader) return null;
    let stream: FillReader | undefined;
    const streamOf = () => (stream ??= new FillReader(this, reader, start, end));
    const size = this.size;
    const follow = reader.sendToSocket?.bind(reader);
    return {
      get stream() {
        return streamOf();
      },
      sendTo: (destination) => followTo(this, reader, start, end, destination),
      // The store follows the file in the kernel (only where the size is known: the socket ingest's case).
      ...(follow && size !== null
        ? {
            sendToSocket: async (socketFd: number) => {
              const sent = await follow(socketFd, start, (end ?? size - 1) - start + 1).catch(async (err: unknown) => {
                await reader.close();
                // 'ESOURCE' (SpoolReader.sendToSocket): the write failed, and the fill's own error says why.
                throw (err as { code?: unknown }).code === 'ESOURCE' ? await this.done.then(() => err, (cause: unknown) => cause) : err;
              });
              if (sent) await reader.close();
              return sent;
            },
          }
        : {}),
    };
  }

  /** How far a reader may go now: everything once committed, else what is written minus the held-back last byte. */
  available(): number {
    if (this.state === 'committed' || (this.verified && this.state === 'running')) return this.size ?? this.written;
    return Math.max(0, this.written - 1);
  }

  /** Everything is readable: verified (or committed). A reader that reached the end may finish. */
  get complete(): boolean {
    return this.state === 'committed' || (this.verified && this.state === 'running');
  }

  status(): { state: 'running' | 'committed' | 'failed'; error?: Error } {
    return this.error ? { state: this.state, error: this.error } : { state: this.state };
  }

  /** Resolves at the next progress, spool or completion event. */
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  private wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiting) resolve();
  }
}

class FillReader extends Readable {
  private position: number;
  private pumping = false;

  constructor(
    private readonly fill: BlobFill,
    private readonly file: SpoolReader,
    start: number,
    private readonly end: number | undefined,
  ) {
    super({ highWaterMark: READ_CHUNK });
    this.position = start;
  }

  override _read(): void {
    if (!this.pumping) void this.pump();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.file.close().then(
      () => callback(err),
      () => callback(err),
    );
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        if (this.destroyed) return;
        const { state, error } = this.fill.status();
        if (state === 'failed') {
          this.destroy(error);
          return;
        }
        const last = this.end !== undefined ? this.end + 1 : Number.POSITIVE_INFINITY;
        const stop = Math.min(last, this.fill.available());
        if (this.position < stop) {
          const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, stop - this.position));
          const n = await this.file.read(buffer, this.position);
          if (n > 0) {
            this.position += n;
            if (!this.push(buffer.subarray(0, n))) return;
            continue;
          }
        } else if (this.fill.complete) {
          this.push(null);
          return;
        }
        await this.fill.next();
      }
    } catch (err) {
      this.destroy(err as Error);
    } finally {
      this.pumping = false;
    }
  }
}

/**
 * Sends bytes [start, end] of a fill to `destination` as they arrive, through a few reused buffers: a buffer
 * is refilled only once the destination has taken it, so memory stays flat and nothing is left for the GC.
 */
async function followTo(fill: BlobFill, file: SpoolReader, start: number, end: number | undefined, destination: Writable): Promise<void> {
  const pool = Array.from({ length: SEND_BUFFERS }, () => Buffer.allocUnsafe(SEND_CHUNK));
  const pending: (Promise<void> | undefined)[] = new Array(SEND_BUFFERS);
  const last = end !== undefined ? end + 1 : Number.POSITIVE_INFINITY;
  let position = start;
  let turn = 0;
  try {
    for (;;) {
      const { state, error } = fill.status();
      if (state === 'failed') throw error ?? new Error('the upstream blob could not be stored');
      if (destination.destroyed) throw new Error('the client went away');
      const stop = Math.min(last, fill.available());
      if (position >= stop) {
        if (position >= last || (fill.complete && position >= fill.available())) break;
        await fill.next();
        continue;
      }
      const slot = turn % SEND_BUFFERS;
      await pending[slot];
      const buffer = pool[slot]!;
      const n = await file.read(buffer.subarray(0, Math.min(SEND_CHUNK, stop - position)), position);
      if (n === 0) {
        await fill.next();
        continue;
      }
      position += n;
      const chunk = buffer.subarray(0, n);
      pending[slot] = new Promise((resolve, reject) => destination.write(chunk, (err) => (err ? reject(err) : resolve())));
      pending[slot].catch(() => undefined);
      turn += 1;
      if (destination.writableNeedDrain) await drainedOrClosed(destination);
    }
    await Promise.all(pending);
    await new Promise<void>((resolve, reject) => destination.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } finally {
    await file.close();
  }
}

/** Waits for 'drain' or 'close', whichever comes first, and removes both listeners (a left 'close' listener per wait was a leak). */
function drainedOrClosed(destination: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      destination.off('drain', done);
      destination.off('close', done);
      resolve();
    };
    destination.on('drain', done);
    destination.on('close', done);
  });
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
   * Starts a fill unless one is under way: `fetch` opens the upstream body (null = upstream has no such blob).
   * Everyone asking while the upstream request is pending or the fill runs gets the same fill.
   */
  begin(
    digest: string,
    blobs: BlobStore,
    fetch: () => Promise<{ size: number | null; stream: Readable; body?: SocketBody } | null>,
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
      const fill = new BlobFill(blobs, digest, source.size, source.body ?? source.stream, onVerified);
      // Forget the fill only after its bookkeeping (links) is done, so a request right after finds the cached blob.
      fill.done
        .then(
          (info) => onSettled?.(info),
          (err: Error) => onSettled?.(null, err),
        )
        .catch(() => undefined)
        .finally(forget);
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
