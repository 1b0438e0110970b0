import { open, rm, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Gate, type IncomingBody } from '@wharf/native-io';
import { Digester, RegistryError } from '@wharf/oci';
import type { BlobSource } from '../blob-store';
import { FILE_MODE } from './fs-util';
import { FileSink } from './file-sink';
import { receiveFailure, toStorageError } from './fs-errors';
import { StorageError } from '../storage-error';
import type { Growth } from './growth';

export type DigestAlgorithm = 'sha256' | 'sha512';

function tooLarge(limit: number): RegistryError {
  return new RegistryError('SIZE_INVALID', `content is larger than the expected ${limit} bytes`, { expectedSize: limit });
}

/**
 * One blob being received into a temporary file, hashed as it lands, with any number of readers following
 * it. The bytes come from a stream (hashed here, in JavaScript) or from an IncomingBody that receives itself
 * (hashed by the native client, off the JavaScript thread): either way this is the one place that decides how
 * far readers may go, `available()`: every byte written but the last until the digest matched, so that a
 * corrupt blob never reaches anyone as a complete body; when the write fails, readers fail with its error.
 * The bound is mirrored into a native gate for readers sending with sendfile(2).
 */
export class ReceivingFile implements Growth {
  readonly gate = new Gate();
  private written = 0;
  private state: 'receiving' | 'verified' | 'failed' = 'receiving';
  private failure: Error | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly path: string,
    private handle: FileHandle | undefined,
  ) {}

  /** Creates the temporary file (which must not exist). */
  static async create(path: string): Promise<ReceivingFile> {
    try {
      return new ReceivingFile(path, await open(path, 'wx', FILE_MODE));
    } catch (err) {
      throw toStorageError(err, 'create temp file');
    }
  }

  /** Bytes in the file so far. */
  get bytesWritten(): number {
    return this.written;
  }

  /**
   * Takes the whole source into the file, hashing it with `algorithm`; at most `maxBytes` when given (more is
   * SIZE_INVALID). Resolves with what arrived; the caller compares it with what was expected and calls
   * `verified` or `fail`.
   */
  async receive(
    source: BlobSource,
    algorithm: DigestAlgorithm,
    maxBytes: number | null,
    onProgress?: (bytes: number) => void,
  ): Promise<{ bytes: number; digest: string }> {
    const progress = (bytes: number) => {
      this.written = bytes;
      onProgress?.(bytes);
      this.changed();
    };
    if (!(source instanceof Readable) && source.receive) {
      const received = await this.receiveNatively(source, algorithm, maxBytes, progress);
      if (received) return received;
    }
    const digester = new Digester(algorithm);
    const sink = new FileSink(this.writeHandle(), {
      position: 0,
      hashers: [digester],
      ...(maxBytes !== null ? { limit: maxBytes, onLimit: () => tooLarge(maxBytes) } : {}),
      onProgress: progress,
    });
    try {
      await pipeline(source instanceof Readable ? source : source.stream(), sink);
    } finally {
      // pipeline settles as soon as the source fails, possibly with a write still in flight.
      await sink.idle();
    }
    return { bytes: sink.bytes, digest: digester.digest() };
  }

  private async receiveNatively(
    body: IncomingBody,
    algorithm: DigestAlgorithm,
    maxBytes: number | null,
    progress: (bytes: number) => void,
  ): Promise<{ bytes: number; digest: string } | null> {
    try {
      const received = await body.receive!(this.writeHandle().fd, { algorithm, maxBytes, onProgress: progress });
      if (!received) return null;
      progress(received.bytes);
      return { bytes: received.bytes, digest: `${algorithm}:${received.hex}` };
    } catch (err) {
      throw receiveFailure(err, maxBytes !== null ? () => tooLarge(maxBytes) : null);
    }
  }

  /** The content matched what was expected: every byte may go out now (before the file is durable). */
  verified(): void {
    if (this.state !== 'receiving') return;
    this.state = 'verified';
    this.changed();
  }

  /** The write failed: readers stop with `err`. */
  fail(err: unknown): void {
    if (this.state === 'failed') return;
    this.failure = err instanceof Error ? err : new Error(String(err));
    this.state = 'failed';
    this.changed();
  }

  /** Makes the file durable and closes it for writing (readers keep their own descriptors). */
  async finish(): Promise<void> {
    const handle = this.writeHandle();
    try {
      await handle.sync();
      await handle.close();
      this.handle = undefined;
    } catch (err) {
      throw toStorageError(err, 'fsync');
    }
  }

  /** Closes the file and removes it unless it was moved away (`kept`). */
  async dispose(kept: boolean): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    if (!kept) await rm(this.path, { force: true }).catch(() => undefined);
  }

  // --- Growth: what readers may read -------------------------------------------------------------------

  available(): number {
    return this.state === 'verified' ? this.written : Math.max(0, this.written - 1);
  }

  get complete(): boolean {
    return this.state === 'verified';
  }

  get error(): Error | undefined {
    return this.failure;
  }


  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  private changed(): void {
    if (this.state === 'failed') this.gate.fail();
    else this.gate.set(this.available());
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiting) resolve();
  }

  private writeHandle(): FileHandle {
    if (!this.handle) throw new StorageError('blob store: the temporary file is already closed');
    return this.handle;
  }
}
