import { openSync, readSync, closeSync } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * Streams a file as a request body, but holds after `pauseAfter` bytes until `release()`.
 * With HTTP backpressure this stops an upload at a known point (minus socket buffers), which is
 * how a test "crashes the server in the middle of an upload" without relying on timing.
 */
export class GatedFileStream extends Readable {
  private readonly fd: number;
  private position = 0;
  private released = false;
  private waiting = false;
  private pausedResolve!: () => void;
  /** Resolves once `pauseAfter` bytes have been handed to the consumer (the HTTP request). */
  readonly paused: Promise<void>;

  constructor(
    path: string,
    private readonly size: number,
    private readonly pauseAfter: number,
    private readonly chunkSize = 1 << 20,
  ) {
    super({ highWaterMark: chunkSize });
    this.fd = openSync(path, 'r');
    this.paused = new Promise<void>((r) => (this.pausedResolve = r));
  }

  get bytesRead(): number {
    return this.position;
  }

  release(): void {
    this.released = true;
    if (this.waiting) {
      this.waiting = false;
      this.pump();
    }
  }

  override _read(): void {
    this.pump();
  }

  private pump(): void {
    if (this.position >= this.size) {
      this.push(null);
      return;
    }
    if (!this.released && this.position >= this.pauseAfter) {
      this.waiting = true;
      this.pausedResolve();
      return;
    }
    const limit = this.released ? this.size : Math.min(this.size, this.pauseAfter);
    const n = Math.min(this.chunkSize, limit - this.position);
    const buf = Buffer.allocUnsafe(n);
    const got = readSync(this.fd, buf, 0, n, this.position);
    if (got <= 0) {
      this.destroy(new Error('file ended early'));
      return;
    }
    this.position += got;
    this.push(got === n ? buf : buf.subarray(0, got));
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    try {
      closeSync(this.fd);
    } catch {
      /* closed */
    }
    cb(err);
  }
}
