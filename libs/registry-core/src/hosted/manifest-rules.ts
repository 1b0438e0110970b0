import {
  type ParsedManifest,
  MAX_MANIFEST_BYTES,
  RegistryError,
  checkPushedContentType,
  digestOf,
  isDigestReference,
  parseDigest,
  parseManifest,
  validateTag,
} from '@wharf/oci';
import type { StorageSettings } from '../repository-config';

export interface CheckedManifest {
  parsed: ParsedManifest;
  digest: string;
  tag?: string;
}

/**
 * Parses a pushed manifest and checks it against its URL reference (tag grammar, or digest equality). With
 * `strictContentType` (the repository's storage.strictContentTypeValidation) the Content-Type must name a
 * manifest format.
 */
export function checkPushedManifest(reference: string, bytes: Buffer, contentType: string | undefined, strictContentType = true): CheckedManifest {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new RegistryError('MANIFEST_INVALID', `manifest is ${bytes.length} bytes; the limit is ${MAX_MANIFEST_BYTES}`, undefined, {
      status: 413,
    });
  }
  if (strictContentType) checkPushedContentType(contentType);
  const parsed = parseManifest(bytes, contentType);
  if (isDigestReference(reference)) {
    const { algorithm } = parseDigest(reference);
    const digest = digestOf(bytes, algorithm);
    if (digest !== reference) {
      throw new RegistryError('DIGEST_INVALID', `manifest digest is ${digest}, not ${reference} as in the URL`);
    }
    return { parsed, digest };
  }
  validateTag(reference);
  return { parsed, digest: digestOf(bytes), tag: reference };
}

/** ALLOW_ONCE makes tags immutable once pushed (re-pushing the same digest is fine; `latest` is exempt with latestPolicy). */
export function checkTagPolicy(storage: StorageSettings, repository: string, tag: string, existingDigest: string | undefined, digest: string): void {
  if (storage.writePolicy !== 'ALLOW_ONCE' || existingDigest === undefined || existingDigest === digest) return;
  if (storage.latestPolicy && tag === 'latest') return;
  throw new RegistryError('DENIED', `tag ${tag} already exists in repository ${repository} and its write policy ALLOW_ONCE makes tags immutable`);
}

export function checkWritable(storage: StorageSettings, repository: string): void {
  if (storage.writePolicy === 'DENY') {
    throw new RegistryError('DENIED', `repository ${repository} is read-only (write policy DENY)`);
  }
}
