import { RegistryError } from '@wharf/oci';
import { StorageError } from '../storage-error';

interface S3Failure {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

function status(err: unknown): number | undefined {
  return (err as S3Failure | null)?.$metadata?.httpStatusCode;
}

/** The object (or bucket) is not there. */
export function isS3NotFound(err: unknown): boolean {
  const name = (err as S3Failure | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchUpload' || status(err) === 404;
}

/** A conditional write was refused (If-None-Match: the object exists). */
export function isPreconditionFailed(err: unknown): boolean {
  return (err as S3Failure | null)?.name === 'PreconditionFailed' || status(err) === 412;
}

/** Registry errors pass; anything else from S3 becomes a StorageError naming the operation (the original is its cause). */
export function toS3StorageError(err: unknown, what: string): Error {
  if (err instanceof RegistryError || err instanceof StorageError) return err;
  const name = (err as S3Failure | null)?.name ?? 'Error';
  const code = status(err);
  return new StorageError(`S3 ${what} failed: ${name}${code ? ` (HTTP ${code})` : ''}`, err);
}

export function sizeInvalid(message: string, detail?: unknown): RegistryError {
  return new RegistryError('SIZE_INVALID', message, detail);
}

export function digestMismatch(computed: string, wanted: string): RegistryError {
  return new RegistryError('DIGEST_INVALID', `content digest ${computed} does not match ${wanted}`, { digest: wanted, computed });
}
