import { isRegistryError } from '@wharf/oci';
import { StorageError, errnoCode, storeFull } from '../storage-error';

// Raw filesystem errors as the blob store reports them: absent, full (storeFull), or a StorageError.

/** The path (or a parent of it) does not exist. */
export function isNotFound(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** errno codes that mean the filesystem has no room left (for bytes, inodes or the user's quota). */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

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
