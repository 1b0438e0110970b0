import { randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, open, opendir, readdir, rename, rm, stat, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Digester, RegistryError } from '@wharf/oci';
import type { BlobInfo, BlobRead, BlobStore, ByteRange, SocketBody, SpoolReader, StoredBlob, UploadStore, WriteOptions } from '../blob-store';
import {
  DIR_MODE,
  ensureDir,
  FILE_MODE,
  FileSink,
  fsyncDir,
  hashFile,
  isNotFound,
  KeyedMutex,
  StorageError,
  READ_CHUNK,
  toStorageError,
} from './fs-util';
import type { GrowingFile } from './native';
import { checkDigest, DIGEST_ALGORITHMS, isBlobFileName, isUploadId, StorePaths, type BlobAddress } from './paths';
import { sendFile } from './send-file';
import { ingestSocketBody } from './socket-ingest';
import { sendFileToSocket } from './zero-copy';

export interface FileBlobStoreOptions {
  /** Directory holding blobs/, uploads/ and tmp/ (see paths.ts for the layout). */
  root: string;
}

function sizeInvalid(message: string, detail?: unknown): RegistryError {
  return new RegistryError('SIZE_INVALID', message, detail);
}

function uploadUnknown(id: string): RegistryError {
  return new RegistryError('BLOB_UPLOAD_UNKNOWN', undefined, { id });
}

async function closeQuietly(handle: FileHandle | undefined): Promise<void> {
  await handle?.close().catch(() => undefined);
}

/**
 * Moves a complete, verified and fsynced file into the content-addressed store. When the blob
 * is already there (same size) the new copy is discarded; otherwise rename(2) replaces
 * atomically, so concurrent writers of one digest are safe and readers never see partial data.
 */
async function moveIntoStore(paths: StorePaths, src: string, addr: BlobAddress, size: number): Promise<void> {
  const target = paths.blobFile(addr);
  try {
    const existing = await stat(target).catch((err: unknown) => {
      if (isNotFound(err)) return null;
      throw err;
    });
    if (existing?.isFile() && existing.size === size) {
      await rm(src, { force: true });
      return;
    }
    const dir = paths.blobDir(addr);
    await ensureDir(dir);
    await rename(src, target);
    await fsyncDir(dir);
  } catch (err) {
    throw toStorageError(err, 'store blob');
  }
}

/**
 * Opens a reader on an in-progress temp file; null once it was renamed into place or removed. `growing`
 * (the file is written by a socket ingest) lets it follow the file with sendfile(2).
 */
async function openSpoolReader(path: string, growing?: GrowingFile): Promise<SpoolReader | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (isNotFound(err)) return null;
    throw toStorageError(err, 'open spool');
  }
  return {
    read: async (buffer, position) => {
      try {
        return (await handle.read(buffer, 0, buffer.length, position)).bytesRead;
      } catch (err) {
        throw toStorageError(err, 'read spool');
      }
    },
    ...(growing
      ? { sendToSocket: (socketFd: number, position: number, count: number) => sendFileToSocket(socketFd, handle.fd, position, count, growing) }
      : {}),
    close: () => closeQuietly(handle),
  };
}

/** An ingest failure: the filesystem's is a StorageError, the connection's keeps its message and code. */
function ingestError(err: unknown): Error {
  const code = (err as { code?: unknown }).code;
  if (code === 'EWRITE') return new StorageError(`blob store: ${(err as Error).message}`, err);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Receives a socket body into the temp file with the addon (ingestSocketBody); null, having read nothing,
 * when that is not possible here (the caller streams the body instead).
 */
async function receiveSocket(
  body: SocketBody,
  handle: FileHandle,
  tmp: string,
  expectedDigest: string | undefined,
  options: WriteOptions | undefined,
): Promise<{ bytes: number; digest: string } | null> {
  const expectedHex = expectedDigest?.slice('sha256:'.length) ?? '';
  const ingest = ingestSocketBody(body, handle.fd, expectedHex, (bytes) => options?.onProgress?.(bytes));
  if (!ingest) return null;
  options?.onSpool?.({ open: () => openSpoolReader(tmp, ingest.growing) });
  let hex: string;
  try {
    hex = await ingest.done;
  } catch (err) {
    throw ingestError(err);
  }
  options?.onProgress?.(body.length);
  return { bytes: body.length, digest: `sha256:${hex}` };
}

/**
 * Filesystem BlobStore. Layout and path validation: see `paths.ts`.
 *
 * One root belongs to one running process at a time: `init()` empties `tmp/`, which would
 * break another live process's in-flight writes. (Several processes sharing blobs belong on
 * an object-store implementation.)
 */
export class FileBlobStore implements BlobStore {
  readonly uploads: FileUploadStore;
  readonly paths: StorePaths;

  constructor(options: FileBlobStoreOptions) {
    this.paths = new StorePaths(resolve(options.root));
    this.uploads = new FileUploadStore(this.paths);
  }

  /** Creates directories and removes leftovers of a crash (temp files under tmp/). */
  async init(): Promise<void> {
    try {
      await ensureDir(this.paths.root);
      // A store made by an older version (or another umask) is closed to other users, too.
      await chmod(this.paths.root, DIR_MODE);
      await ensureDir(this.paths.blobs);
      await ensureDir(this.paths.uploads);
      await ensureDir(this.paths.tmp);
      for (const name of await readdir(this.paths.tmp)) {
        await rm(join(this.paths.tmp, name), { recursive: true, force: true });
      }
    } catch (err) {
      throw toStorageError(err, 'init');
    }
  }

  async stat(digest: string): Promise<BlobInfo | null> {
    const addr = checkDigest(digest);
    try {
      const st = await stat(this.paths.blobFile(addr));
      return st.isFile() ? { digest: addr.digest, size: st.size } : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toStorageError(err, 'stat');
    }
  }

  async read(digest: string, range?: ByteRange): Promise<BlobRead | null> {
    const addr = checkDigest(digest);
    let handle: FileHandle;
    try {
      handle = await open(this.paths.blobFile(addr), 'r');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toStorageError(err, 'open');
    }
    try {
      let size: number;
      try {
        size = (await handle.stat()).size;
      } catch (err) {
        throw toStorageError(err, 'stat');
      }
      let start = 0;
      let end = size - 1;
      if (range) {
        const ok =
          Number.isSafeInteger(range.start) &&
          Number.isSafeInteger(range.end) &&
          range.start >= 0 &&
          range.start <= range.end &&
          range.end < size;
        if (!ok) {
          throw new RegistryError('RANGE_INVALID', `range ${range.start}-${range.end} is outside the blob (${size} bytes)`, {
            digest: addr.digest,
            size,
          });
        }
        start = range.start;
        end = range.end;
      }
      // The stream is created lazily: whoever uses `sendTo` never pays for it. Either owns the handle.
      let stream: Readable | undefined;
      const fileHandle = handle;
      return {
        size,
        start,
        end,
        get stream(): Readable {
          stream ??= fileHandle.createReadStream(
            size === 0 ? { start: 0, highWaterMark: READ_CHUNK } : { start, end, highWaterMark: READ_CHUNK },
          );
          return stream;
        },
        sendTo: (destination) => sendFile(fileHandle, start, end, destination),
        sendToSocket: async (socketFd) => {
          let sent: boolean;
          try {
            sent = await sendFileToSocket(socketFd, fileHandle.fd, start, end - start + 1);
          } catch (err) {
            await closeQuietly(fileHandle);
            throw err;
          }
          if (sent) await closeQuietly(fileHandle);
          return sent;
        },
      };
    } catch (err) {
      await closeQuietly(handle);
      throw err;
    }
  }

  async write(source: Readable | SocketBody, expected?: { digest?: string; size?: number }, options?: WriteOptions): Promise<BlobInfo> {
    const want = expected?.digest !== undefined ? checkDigest(expected.digest) : undefined;
    const wantSize = expected?.size;
    if (wantSize !== undefined && !(Number.isSafeInteger(wantSize) && wantSize >= 0)) {
      throw sizeInvalid(`expected size ${wantSize} is not a non-negative integer`);
    }
    const tmp = this.paths.tmpFile(randomUUID());
    let handle: FileHandle | undefined;
    let sink: FileSink | undefined;
    let placed = false;
    try {
      try {
        handle = await open(tmp, 'wx', FILE_MODE);
      } catch (err) {
        throw toStorageError(err, 'create temp file');
      }
      let received: { bytes: number; digest: string } | null = null;
      // A socket body of the announced size, hashed with sha256, is received by the addon when it can.
      if (!(source instanceof Readable) && (wantSize === undefined || wantSize === source.length) && (want?.algorithm ?? 'sha256') === 'sha256') {
        received = await receiveSocket(source, handle, tmp, want?.digest, options);
      }
      if (!received) {
        const digester = new Digester(want?.algorithm ?? 'sha256');
        sink = new FileSink(handle, {
          position: 0,
          hashers: [digester],
          limit: wantSize,
          onLimit: () =>
            sizeInvalid(`content is larger than the expected ${wantSize} bytes`, { expectedSize: wantSize }),
          ...(options?.onProgress ? { onProgress: options.onProgress } : {}),
        });
        options?.onSpool?.({ open: () => openSpoolReader(tmp) });
        await pipeline(source instanceof Readable ? source : source.stream(), sink);
        received = { bytes: sink.bytes, digest: digester.digest() };
      }
      if (wantSize !== undefined && received.bytes !== wantSize) {
        throw sizeInvalid(`content is ${received.bytes} bytes, expected ${wantSize}`, {
          expectedSize: wantSize,
          size: received.bytes,
        });
      }
      const actual = received.digest;
      if (want && actual !== want.digest) {
        throw new RegistryError('DIGEST_INVALID', `content digest ${actual} does not match ${want.digest}`, {
          digest: want.digest,
          computed: actual,
        });
      }
      options?.onVerified?.();
      try {
        await handle.sync();
        await handle.close();
        handle = undefined;
      } catch (err) {
        throw toStorageError(err, 'fsync');
      }
      const addr = checkDigest(actual);
      await moveIntoStore(this.paths, tmp, addr, received.bytes);
      placed = true;
      return { digest: addr.digest, size: received.bytes };
    } finally {
      await sink?.idle();
      await closeQuietly(handle);
      if (!placed) await rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  async delete(digest: string): Promise<boolean> {
    const addr = checkDigest(digest);
    try {
      await unlink(this.paths.blobFile(addr));
    } catch (err) {
      if (isNotFound(err)) return false;
      throw toStorageError(err, 'delete');
    }
    await fsyncDir(this.paths.blobDir(addr)).catch(() => undefined);
    return true;
  }

  async *list(): AsyncIterable<StoredBlob> {
    for (const algorithm of DIGEST_ALGORITHMS) {
      const algorithmDir = join(this.paths.blobs, algorithm);
      for (const prefix of await listNames(algorithmDir)) {
        if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
        const prefixDir = join(algorithmDir, prefix);
        for (const name of await listNames(prefixDir)) {
          // Foreign files (editor backups, a stray rename target) are not blobs.
          if (!isBlobFileName(algorithm, name) || !name.startsWith(prefix)) continue;
          let st;
          try {
            st = await lstat(join(prefixDir, name));
          } catch (err) {
            if (isNotFound(err)) continue; // deleted while we walked
            throw toStorageError(err, 'list');
          }
          if (st.isFile()) yield { digest: `${algorithm}:${name}`, size: st.size, lastModified: st.mtime };
        }
      }
    }
  }

  async availableSpace(): Promise<number | null> {
    try {
      const fs = await statfs(this.paths.root);
      return fs.bavail * fs.bsize;
    } catch (err) {
      throw toStorageError(err, 'statfs');
    }
  }
}

/** The entry names of a directory, read with a streaming handle; [] when it does not exist. */
async function listNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of await opendir(dir, { bufferSize: 256 })) names.push(entry.name);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw toStorageError(err, 'list');
  }
  return names;
}

/** Incremental sha256 state of an upload whose every byte this process has seen, in order. */
interface HashState {
  digester: Digester;
  /** bytes fed to `digester`; trusted only while it equals the data file's size */
  bytes: number;
}

/**
 * Upload sessions under `uploads/<id>/data`. Work on one session is serialised within the
 * process (append/commit/cancel/purge); a session is driven by one process at a time (the
 * metadata layer records who owns it).
 */
export class FileUploadStore implements UploadStore {
  private readonly lock = new KeyedMutex();
  private readonly hashes = new Map<string, HashState>();

  constructor(private readonly paths: StorePaths) {}

  async create(): Promise<string> {
    const id = randomUUID();
    try {
      await mkdir(this.paths.uploadDir(id), { mode: DIR_MODE });
      const handle = await open(this.paths.uploadData(id), 'wx', FILE_MODE);
      await handle.close();
    } catch (err) {
      throw toStorageError(err, 'create upload');
    }
    this.hashes.set(id, { digester: new Digester('sha256'), bytes: 0 });
    return id;
  }

  async size(id: string): Promise<number | null> {
    if (!isUploadId(id)) return null;
    try {
      const st = await stat(this.paths.uploadData(id));
      return st.isFile() ? st.size : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toStorageError(err, 'stat upload');
    }
  }

  async append(id: string, source: Readable, offset: number): Promise<number> {
    if (!isUploadId(id)) throw uploadUnknown(id);
    return this.lock.run(id, async () => {
      const handle = await this.openData(id);
      try {
        let size: number;
        try {
          size = (await handle.stat()).size;
        } catch (err) {
          throw toStorageError(err, 'stat upload');
        }
        if (offset !== size) {
          throw new RegistryError('RANGE_INVALID', `upload offset ${offset} does not match the current size ${size}`, {
            id,
            offset,
            size,
          });
        }
        let state = this.hashes.get(id);
        if (state && state.bytes !== size) {
          this.hashes.delete(id);
          state = undefined;
        }
        const sink = new FileSink(handle, { position: size, hashers: state ? [state.digester] : [] });
        try {
          await pipeline(source, sink);
        } finally {
          // Let a write still in flight land before anyone reads the size or writes again; the
          // sink hashed exactly the bytes that reached the file, even when the source failed.
          await sink.idle();
          if (state) state.bytes += sink.bytes;
        }
        // Flush each chunk as it lands, so completing a large upload does not wait for one huge fsync.
        try {
          await handle.datasync();
        } catch (err) {
          throw toStorageError(err, 'fsync upload');
        }
        return size + sink.bytes;
      } finally {
        await closeQuietly(handle);
      }
    });
  }

  async commit(id: string, digest: string): Promise<BlobInfo> {
    const addr = checkDigest(digest);
    if (!isUploadId(id)) throw uploadUnknown(id);
    return this.lock.run(id, async () => {
      const data = this.paths.uploadData(id);
      const handle = await this.openData(id);
      let size: number;
      try {
        try {
          size = (await handle.stat()).size;
        } catch (err) {
          throw toStorageError(err, 'stat upload');
        }
        // The incremental state is final once digested: drop it either way (a retry re-hashes).
        const state = this.hashes.get(id);
        this.hashes.delete(id);
        let actual: string;
        if (state && state.digester.algorithm === addr.algorithm && state.bytes === size) {
          actual = state.digester.digest();
        } else {
          const digester = new Digester(addr.algorithm);
          try {
            await hashFile(data, digester);
          } catch (err) {
            throw toStorageError(err, 'hash upload');
          }
          if (digester.bytes !== size) throw new RegistryError('BLOB_UPLOAD_INVALID', 'upload changed while hashing', { id });
          actual = digester.digest();
        }
        if (actual !== addr.digest) {
          throw new RegistryError('DIGEST_INVALID', `content digest ${actual} does not match ${addr.digest}`, {
            digest: addr.digest,
            computed: actual,
          });
        }
        try {
          await handle.sync();
        } catch (err) {
          throw toStorageError(err, 'fsync upload');
        }
      } finally {
        await closeQuietly(handle);
      }
      await moveIntoStore(this.paths, data, addr, size);
      await rm(this.paths.uploadDir(id), { recursive: true, force: true }).catch(() => undefined);
      return { digest: addr.digest, size };
    });
  }

  async cancel(id: string): Promise<boolean> {
    if (!isUploadId(id)) return false;
    return this.lock.run(id, async () => {
      this.hashes.delete(id);
      return this.removeSession(id);
    });
  }

  async purge(olderThan: Date): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.paths.uploads);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw toStorageError(err, 'list uploads');
    }
    const limit = olderThan.getTime();
    const purged: string[] = [];
    for (const id of names) {
      // Skip foreign names and sessions this process is working on right now.
      if (!isUploadId(id) || this.lock.isLocked(id)) continue;
      const removed = await this.lock.run(id, async () => {
        const mtime = await this.lastModified(id);
        if (mtime === null || mtime >= limit) return false;
        this.hashes.delete(id);
        return this.removeSession(id);
      });
      if (removed) purged.push(id);
    }
    return purged;
  }

  private async openData(id: string): Promise<FileHandle> {
    try {
      return await open(this.paths.uploadData(id), 'r+');
    } catch (err) {
      if (isNotFound(err)) throw uploadUnknown(id);
      throw toStorageError(err, 'open upload');
    }
  }

  /** mtime of the data file (or of the session directory when a crash left it without one). */
  private async lastModified(id: string): Promise<number | null> {
    for (const path of [this.paths.uploadData(id), this.paths.uploadDir(id)]) {
      try {
        return (await stat(path)).mtimeMs;
      } catch (err) {
        if (!isNotFound(err)) throw toStorageError(err, 'stat upload');
      }
    }
    return null;
  }

  private async removeSession(id: string): Promise<boolean> {
    const dir = this.paths.uploadDir(id);
    try {
      await stat(dir);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw toStorageError(err, 'stat upload');
    }
    try {
      await rm(dir, { recursive: true, force: true });
    } catch (err) {
      throw toStorageError(err, 'remove upload');
    }
    return true;
  }
}
