import { createReadStream } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Digester } from '@wharf/oci';
import { errnoCode } from '../storage-error';

/** Blobs may be private images: readable by Wharf's user only (whatever the process umask). */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Large reads for the hot path (layer downloads, re-hashing). */
export const READ_CHUNK = 1024 * 1024;

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
