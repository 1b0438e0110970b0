import { createReadStream } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { type Digester, RegistryError, isRegistryError } from '@wharf/oci';

/** Blobs may be private images: readable by Wharf's user only (whatever the process umask). */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Large reads for the hot path (layer downloads, re-hashing). */
export const READ_CHUNK = 1024 * 1024;

/**
 * A filesystem failure other than "absent" (EIO, ENOSPC, EACCES ...). The blob store never lets
 * a raw errno error cross its boundary: absent things become null/false/BLOB_UPLOAD_UNKNOWN,
 * everything else becomes a StorageError (the original is its `cause`).
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  /** errno code of the cause, e.g. 'ENOSPC' (undefined when unknown). */
  readonly errno: string | undefined;

  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.errno = errnoCode(cause);
  }
}

export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The path (or a parent of it) does not exist. */
export function isNotFound(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** errno codes that mean the filesystem has no room left (for bytes, inodes or the user's quota). */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/**
 * The registry error for a store without room: 507 Insufficient Storage with a message that says so
 * (clients show the status line: "507 Insufficient Storage"), never the 500 "internal error" of a fault.
 */
export function storeFull(message: string, cause?: unknown): RegistryError {
  const error = new RegistryError('UNAVAILABLE', message, undefined, { status: 507 });
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause });
  return error;
}

/** Whether this error means the store has no room (see storeFull). */
export function isStoreFull(err: unknown): boolean {
  return isRegistryError(err) && err.status === 507;
}

/** Wraps raw filesystem errors; passes through errors that are already ours/foreign. A full disk is storeFull. */
export function toStorageError(err: unknown, what: string): Error {
  if (err instanceof StorageError || isRegistryError(err)) return err;
  const code = errnoCode(err);
  if (code !== undefined && NO_SPACE.has(code)) {
    return storeFull(`the blob store is full (${code === 'EDQUOT' ? 'disk quota exceeded' : 'no space left on device'} during ${what}); free space, then retry`, err);
  }
  if (errnoCode(err) !== undefined && err instanceof Error && 'syscall' in err) {
    return new StorageError(`blob store: ${what} failed (${errnoCode(err)})`, err);
  }
  return err instanceof Error ? err : new StorageError(`blob store: ${what} failed`, err);
}

/**
 * What a failed IncomingBody.receive means for a store: the file could not be written (code EWRITE) is a
 * StorageError, or storeFull on a full disk; too large (ETOOBIG) is `tooLarge()` when given; anything else (the
 * client, the upstream) as is.
 */
export function receiveFailure(err: unknown, tooLarge: (() => Error) | null): unknown {
  const code = errnoCode(err);
  if (code === 'EWRITE' && /No space left on device|Disk quota exceeded/.test((err as Error).message)) {
    return storeFull(`the blob store is full (${(err as Error).message}); free space, then retry`, err);
  }
  if (code === 'EWRITE') return new StorageError(`blob store: ${(err as Error).message}`, err);
  if (code === 'ETOOBIG' && tooLarge) return tooLarge();
  return err;
}

/** fsync a directory so that a rename/create/unlink inside it is durable. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms/filesystems (Windows, some network filesystems) cannot fsync directories.
    const code = errnoCode(err);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES') {
      throw err;
    }
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * mkdir -p that fsyncs the parent of every directory it created, so that a file renamed into
 * the new directory survives a crash.
 */
export async function ensureDir(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: DIR_MODE });
  if (first === undefined) return;
  // Created `first` and possibly descendants down to `dir`: sync each created dir's parent.
  const created: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    created.push(d);
    if (d === first || dirname(d) === d) break;
  }
  for (const d of created.reverse()) await fsyncDir(dirname(d));
}

/** Hashes a file with the given digester using large sequential reads. */
export async function hashFile(path: string, digester: Digester): Promise<void> {
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK });
  for await (const chunk of stream) digester.update(chunk as Buffer);
}

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

/** Serialises async work per key within this process (e.g. appends/commit of one upload). */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  isLocked(key: string): boolean {
    return this.tails.has(key);
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
