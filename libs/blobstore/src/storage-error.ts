import { RegistryError, isRegistryError } from '@wharf/oci';

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
