import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingBody } from '@wharf/native-io';
import { Digester, RegistryError } from '@wharf/oci';
import type { BlobInfo, BlobSource, UploadStore } from '../blob-store';
import { DIR_MODE, FILE_MODE, hashFile } from './fs-util';
import { FileSink } from './file-sink';
import { isNotFound, receiveFailure, toStorageError } from './fs-errors';
import { isStoreFull, storeFull } from '../storage-error';
import { KeyedMutex } from '../keyed-mutex';
import { moveIntoStore } from './move-into-store';
import { checkDigest, isUploadId, type StorePaths } from './paths';
import { type RunningHash, runningHash } from './running-hash';
import { SpaceFloor } from './space-floor';

function uploadUnknown(id: string): RegistryError {
  return new RegistryError('BLOB_UPLOAD_UNKNOWN', undefined, { id });
}

async function closeQuietly(handle: FileHandle | undefined): Promise<void> {
  await handle?.close().catch(() => undefined);
}

/** Incremental sha256 state of an upload whose every byte this process has seen, in order. */
interface HashState {
  hash: RunningHash;
  /** bytes fed to `hash`; trusted only while it equals the data file's size */
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

  constructor(
    private readonly paths: StorePaths,
    /** The store's free-space floor; none (only what cannot fit is refused) when absent. */
    private readonly floor: SpaceFloor = new SpaceFloor(paths.root, 0),
  ) {}

  async create(): Promise<string> {
    await this.floor.check();
    const id = randomUUID();
    try {
      await mkdir(this.paths.uploadDir(id), { mode: DIR_MODE });
      const handle = await open(this.paths.uploadData(id), 'wx', FILE_MODE);
      await handle.close();
    } catch (err) {
      throw toStorageError(err, 'create upload');
    }
    this.hashes.set(id, { hash: runningHash(), bytes: 0 });
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

  async append(id: string, source: BlobSource, offset: number): Promise<number> {
    if (!isUploadId(id)) throw uploadUnknown(id);
    await this.floor.check();
    return this.lock.run(id, async () => {
      try {
        return await this.appendLocked(id, source, offset);
      } catch (err) {
        if (!isStoreFull(err)) throw err;
        // Out of space: the client has to start again anyway, so its bytes are freed now, not in 24 hours.
        this.hashes.delete(id);
        await this.removeSession(id).catch(() => false);
        throw storeFull(`${(err as Error).message}; upload ${id} was discarded to free its space, start it again`, err);
      }
    });
  }

  private async appendLocked(id: string, source: BlobSource, offset: number): Promise<number> {
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
      const received =
        source instanceof Readable || !source.receive
          ? null
          : await this.receive(id, source as IncomingBody & Required<Pick<IncomingBody, 'receive'>>, handle, size, state);
      const appended = received ?? (await this.copy(source instanceof Readable ? source : source.stream(), handle, size, state));
      // Flush each chunk as it lands, so completing a large upload does not wait for one huge fsync.
      try {
        await handle.datasync();
      } catch (err) {
        throw toStorageError(err, 'fsync upload');
      }
      return size + appended;
    } finally {
      await closeQuietly(handle);
    }
  }

  /**
   * A body that writes itself into the file at `size` (off the JavaScript thread), continuing the running hash.
   * Resolves with the bytes appended; null, having taken nothing, when the body cannot after all.
   */
  private async receive(
    id: string,
    body: IncomingBody & Required<Pick<IncomingBody, 'receive'>>,
    handle: FileHandle,
    size: number,
    state: HashState | undefined,
  ): Promise<number | null> {
    const hasher = state?.hash.native;
    let got: { bytes: number } | null;
    try {
      got = await body.receive(handle.fd, { algorithm: 'sha256', maxBytes: null, onProgress: () => undefined, position: size, ...(hasher ? { hasher } : {}) });
    } catch (err) {
      // Which of the bytes that did land were hashed is not known: a commit reads the file again.
      this.hashes.delete(id);
      throw receiveFailure(err, null);
    }
    if (got === null) return null;
    // Without the addon's state the bytes went unhashed here: a commit reads the file again.
    if (state && hasher) state.bytes += got.bytes;
    else this.hashes.delete(id);
    return got.bytes;
  }

  /** A stream copied into the file at `size` through JavaScript, hashed on the way when the running hash goes on. */
  private async copy(source: Readable, handle: FileHandle, size: number, state: HashState | undefined): Promise<number> {
    const sink = new FileSink(handle, { position: size, hashers: state ? [state.hash] : [] });
    try {
      await pipeline(source, sink);
    } finally {
      // Let a write still in flight land before anyone reads the size or writes again; the
      // sink hashed exactly the bytes that reached the file, even when the source failed.
      await sink.idle();
      if (state) state.bytes += sink.bytes;
    }
    return sink.bytes;
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
        if (state && addr.algorithm === 'sha256' && state.bytes === size) {
          actual = state.hash.digest();
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
