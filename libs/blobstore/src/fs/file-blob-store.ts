import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chmod, lstat, open, opendir, readdir, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { RegistryError } from '@wharf/oci';
import type { BlobContent, BlobInfo, BlobSource, BlobStore, StoredBlob, WriteOptions } from '../blob-store';
import { DIR_MODE, ensureDir } from './fs-util';
import { isNotFound, toStorageError } from './fs-errors';
import { FileContent } from './file-content';
import { FileUploadStore } from './file-upload-store';
import { moveIntoStore } from './move-into-store';
import { checkDigest, DIGEST_ALGORITHMS, isBlobFileName, StorePaths, type BlobAddress } from './paths';
import { ReceivingFile } from './receiving-file';
import { SpaceFloor } from './space-floor';

export interface FileBlobStoreOptions {
  /** Directory holding blobs/, uploads/ and tmp/ (see paths.ts for the layout). */
  root: string;
  /** Free bytes new writes must leave on the disk (uploads and fills are refused before they start); default 0. */
  minFreeBytes?: number;
}

function sizeInvalid(message: string, detail?: unknown): RegistryError {
  return new RegistryError('SIZE_INVALID', message, detail);
}

/**
 * Filesystem BlobStore. Layout and path validation: see `paths.ts`. Writes go through a ReceivingFile
 * (tmp/<uuid>: hashed as it lands, followed by readers), are fsynced and renamed into place; reads are
 * FileContent (sendfile(2) where possible).
 *
 * One root belongs to one running process at a time: `init()` empties `tmp/`, which would
 * break another live process's in-flight writes. (Several processes sharing blobs belong on
 * an object-store implementation.)
 */
export class FileBlobStore implements BlobStore {
  readonly uploads: FileUploadStore;
  readonly paths: StorePaths;

  readonly floor: SpaceFloor;

  constructor(options: FileBlobStoreOptions) {
    this.paths = new StorePaths(resolve(options.root));
    this.floor = new SpaceFloor(this.paths.root, options.minFreeBytes ?? 0);
    this.uploads = new FileUploadStore(this.paths, this.floor);
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

  async open(digest: string): Promise<BlobContent | null> {
    const addr = checkDigest(digest);
    let handle: FileHandle;
    try {
      handle = await open(this.paths.blobFile(addr), 'r');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toStorageError(err, 'open');
    }
    try {
      return new FileContent(addr.digest, (await handle.stat()).size, handle);
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw toStorageError(err, 'stat');
    }
  }

  async write(source: BlobSource, expected?: { digest?: string; size?: number }, options?: WriteOptions): Promise<BlobInfo> {
    const want = expected?.digest !== undefined ? checkDigest(expected.digest) : undefined;
    const wantSize = expected?.size;
    if (wantSize !== undefined && !(Number.isSafeInteger(wantSize) && wantSize >= 0)) {
      throw sizeInvalid(`expected size ${wantSize} is not a non-negative integer`);
    }
    if (!(source instanceof Readable) && wantSize !== undefined && source.length !== null && source.length !== wantSize) {
      source.stream().destroy();
      throw sizeInvalid(`content is ${source.length} bytes, expected ${wantSize}`, { expectedSize: wantSize, size: source.length });
    }
    try {
      await this.floor.check(wantSize ?? (source instanceof Readable ? 0 : (source.length ?? 0)));
    } catch (err) {
      if (!(source instanceof Readable)) source.stream().destroy();
      throw err;
    }
    const file = await ReceivingFile.create(this.paths.tmpFile(randomUUID()));
    let placed: BlobAddress | undefined;
    const done = (async () => {
      try {
        const received = await file.receive(source, want?.algorithm ?? 'sha256', wantSize ?? null, options?.onProgress);
        if (wantSize !== undefined && received.bytes !== wantSize) {
          throw sizeInvalid(`content is ${received.bytes} bytes, expected ${wantSize}`, { expectedSize: wantSize, size: received.bytes });
        }
        if (want && received.digest !== want.digest) {
          throw new RegistryError('DIGEST_INVALID', `content digest ${received.digest} does not match ${want.digest}`, {
            digest: want.digest,
            computed: received.digest,
          });
        }
        file.verified();
        options?.onVerified?.();
        await file.finish();
        const addr = checkDigest(received.digest);
        await moveIntoStore(this.paths, file.path, addr, received.bytes);
        placed = addr;
        return { digest: addr.digest, size: received.bytes };
      } finally {
        await file.dispose(placed !== undefined);
      }
    })();
    // Readers learn of a failure once the write has rejected, so whoever awaits it acts first (a proxy forgets
    // the failed fill before its clients see their connections cut and ask again).
    done.catch((err: unknown) => file.fail(err));
    options?.onStarted?.({ follow: () => this.follow(file, done, want?.digest, wantSize) });
    return done;
  }

  /**
   * The content of a write under way, following its file (see WriteInProgress.follow). Its digest and size
   * must be known to describe it: without them, it waits for the write to complete.
   */
  private async follow(file: ReceivingFile, done: Promise<BlobInfo>, digest: string | undefined, size: number | undefined): Promise<BlobContent | null> {
    if (digest === undefined || size === undefined) return this.open((await done).digest);
    let handle: FileHandle;
    try {
      handle = await open(file.path, 'r');
    } catch (err) {
      if (!isNotFound(err)) throw toStorageError(err, 'open temp file');
      // Moved into place (or removed on failure) before we got to it.
      return this.open((await done).digest);
    }
    if (file.error) {
      await handle.close().catch(() => undefined);
      throw file.error;
    }
    return new FileContent(digest, size, handle, undefined, file);
  }

  async delete(digest: string): Promise<boolean> {
    const addr = checkDigest(digest);
    try {
      await unlink(this.paths.blobFile(addr));
    } catch (err) {
      if (isNotFound(err)) return false;
      throw toStorageError(err, 'delete');
    }
    // No fsync of the directory: an unlink lost in a crash brings back a complete, verified blob that
    // nothing links to, which the next collection deletes again. A directory fsync per blob made a
    // collection of 30,000 blobs wait on 30,000 disk flushes.
    return true;
  }

  async *list(): AsyncIterable<StoredBlob> {
    for (const algorithm of DIGEST_ALGORITHMS) {
      const algorithmDir = join(this.paths.blobs, algorithm);
      for (const prefix of await listNames(algorithmDir)) {
        if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
        const prefixDir = join(algorithmDir, prefix);
        // Foreign files (editor backups, a stray rename target) are not blobs.
        const names = (await listNames(prefixDir)).filter((name) => isBlobFileName(algorithm, name) && name.startsWith(prefix));
        // lstat a slice of the directory at once: one await per file kept a collection waiting on the
        // event loop's turn 50,000 times; the slice bounds what is in flight on libuv's pool.
        for (let i = 0; i < names.length; i += LIST_STAT_SLICE) {
          const slice = names.slice(i, i + LIST_STAT_SLICE);
          const stats = await Promise.all(slice.map((name) => statBlobFile(join(prefixDir, name))));
          for (let j = 0; j < slice.length; j += 1) {
            const st = stats[j];
            if (st?.isFile()) yield { digest: `${algorithm}:${slice[j]}`, size: st.size, lastModified: st.mtime };
          }
        }
      }
    }
  }

  async availableSpace(): Promise<number | null> {
    return this.floor.free();
  }
}

/** The entry names of a directory, read with a streaming handle; [] when it does not exist. */
/** Files whose lstat runs at once while the store is listed. */
const LIST_STAT_SLICE = 64;

/** lstat of a listed file; null when it was deleted while the store was walked. */
async function statBlobFile(file: string): Promise<Stats | null> {
  try {
    return await lstat(file);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw toStorageError(err, 'list');
  }
}

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
