import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { Digester } from '@wharf/oci';
import { StorageError } from '../storage-error';
import { toStorageError } from './fs-errors';
import { READ_CHUNK } from './fs-util';

export interface FileSinkOptions {
  /** File offset of the first byte written. */
  position: number;
  /** Every byte that reached the file is fed to these, in order. */
  hashers?: Array<Pick<Digester, 'update'>>;
  /** Maximum number of bytes accepted; exceeding it fails the stream with `onLimit()`. */
  limit?: number;
  onLimit?: () => Error;
  /** Told the running byte count after every write that reached the file. */
  onProgress?: (bytes: number) => void;
}

/**
 * The single sink stage of every write path: writes chunks (batched with writev) at explicit
 * positions and hashes exactly the bytes that reached the file. Filesystem failures surface as
 * StorageError so callers can tell them from errors of the source stream.
 */
export class FileSink extends Writable {
  /** Bytes written to the file by this sink. */
  bytes = 0;
  private position: number;
  private inflight: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: FileHandle,
    private readonly options: FileSinkOptions,
  ) {
    super({ highWaterMark: READ_CHUNK, decodeStrings: true });
    this.position = options.position;
  }

  /**
   * Resolves once no write is in flight. stream.pipeline settles as soon as the source fails,
   * possibly while a write is still running: callers await this before trusting `bytes`,
   * closing the file or letting anyone else write to it.
   */
  idle(): Promise<void> {
    return this.inflight;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.track(this.writeBuffers([chunk]), callback);
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.track(this.writeBuffers(chunks.map((c) => c.chunk)), callback);
  }

  private track(work: Promise<void>, callback: (error?: Error | null) => void): void {
    this.inflight = work.then(
      () => undefined,
      () => undefined, // the error goes to the stream via callback
    );
    work.then(() => callback(), callback);
  }

  private async writeBuffers(buffers: Buffer[]): Promise<void> {
    let total = 0;
    for (const b of buffers) total += b.length;
    const { limit } = this.options;
    if (limit !== undefined && this.bytes + total > limit) {
      throw this.options.onLimit?.() ?? new Error('size limit exceeded');
    }
    let written: number;
    try {
      written = (await this.handle.writev(buffers, this.position)).bytesWritten;
    } catch (err) {
      throw toStorageError(err, 'write');
    }
    if (written < total) {
      // Short write (rare on regular files): finish the remainder one buffer at a time.
      const rest = Buffer.concat(buffers).subarray(written);
      this.account([Buffer.concat(buffers).subarray(0, written)], written);
      let off = 0;
      while (off < rest.length) {
        let n: number;
        try {
          n = (await this.handle.write(rest, off, rest.length - off, this.position)).bytesWritten;
        } catch (err) {
          throw toStorageError(err, 'write');
        }
        if (n <= 0) throw new StorageError('blob store: write made no progress');
        this.account([rest.subarray(off, off + n)], n);
        off += n;
      }
      return;
    }
    this.account(buffers, total);
  }

  private account(buffers: Buffer[], n: number): void {
    const { hashers } = this.options;
    if (hashers) for (const h of hashers) for (const b of buffers) h.update(b);
    this.bytes += n;
    this.position += n;
    this.options.onProgress?.(this.bytes);
  }
}
