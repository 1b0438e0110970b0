import { rename, rm, stat } from 'node:fs/promises';
import { ensureDir, fsyncDir } from './fs-util';
import { isNotFound, toStorageError } from './fs-errors';
import type { BlobAddress, StorePaths } from './paths';

/**
 * Moves a complete, verified and fsynced file into the content-addressed store. When the blob
 * is already there (same size) the new copy is discarded; otherwise rename(2) replaces
 * atomically, so concurrent writers of one digest are safe and readers never see partial data.
 */
export async function moveIntoStore(paths: StorePaths, src: string, addr: BlobAddress, size: number): Promise<void> {
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
