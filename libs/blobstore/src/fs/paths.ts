import { join } from 'node:path';
import { parseDigest, RegistryError, type DigestAlgorithm } from '@wharf/oci';

/**
 * On-disk layout of a {@link FileBlobStore}:
 *
 * ```
 * <root>/
 * ├── blobs/                      content addressed, ONE copy per digest for all repositories
 * │   ├── sha256/
 * │   │   ├── ab/
 * │   │   │   └── abcd…(64 hex)       complete, verified, fsynced blob (never partial)
 * │   │   └── …
 * │   └── sha512/
 * │       └── 3f/
 * │           └── 3f9a…(128 hex)
 * ├── uploads/                    resumable upload sessions (bytes only)
 * │   └── <uuid>/
 * │       └── data                    bytes received so far; its size is the session offset
 * └── tmp/                        in-flight writes; emptied by init() (crash leftovers)
 *     └── <uuid>                      hashed while streaming, renamed into blobs/ when verified
 * ```
 *
 * Every name that reaches the filesystem is validated first: digests with `parseDigest`
 * (algorithm from a closed set, encoded part lowercase hex) and upload ids with the uuid
 * grammar, so no caller-provided string can traverse paths. Everything lives on one
 * filesystem so that the final step of every write is an atomic `rename(2)`.
 */

export const BLOBS_DIR = 'blobs';
export const UPLOADS_DIR = 'uploads';
export const TMP_DIR = 'tmp';
export const UPLOAD_DATA_FILE = 'data';

/** The digest algorithms the store keeps, each in its own directory under blobs/. */
export const DIGEST_ALGORITHMS = ['sha256', 'sha512'] as const;
const HEX_LENGTH: Record<(typeof DIGEST_ALGORITHMS)[number], number> = { sha256: 64, sha512: 128 };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX = /^[0-9a-f]+$/;

/** A validated digest and where it lives. */
export interface BlobAddress {
  algorithm: DigestAlgorithm;
  encoded: string;
  /** canonical "<algorithm>:<encoded>" */
  digest: string;
}

/** Parses and validates a digest (throws RegistryError DIGEST_INVALID). */
export function checkDigest(digest: string): BlobAddress {
  const { algorithm, encoded } = parseDigest(digest);
  // parseDigest already enforces the grammar; this is belt and braces for path safety.
  if ((algorithm !== 'sha256' && algorithm !== 'sha512') || !HEX.test(encoded) || encoded.length < 2) {
    throw new RegistryError('DIGEST_INVALID', 'invalid digest', { digest });
  }
  return { algorithm, encoded, digest: `${algorithm}:${encoded}` };
}

/** True when `name` is the file name of a blob of `algorithm` (its encoded digest, lowercase hex of the right length). */
export function isBlobFileName(algorithm: (typeof DIGEST_ALGORITHMS)[number], name: string): boolean {
  return name.length === HEX_LENGTH[algorithm] && HEX.test(name);
}

/** True when `id` has the (lowercase) uuid grammar that {@link UploadStore.create} produces. */
export function isUploadId(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}

export class StorePaths {
  readonly blobs: string;
  readonly uploads: string;
  readonly tmp: string;

  constructor(readonly root: string) {
    this.blobs = join(root, BLOBS_DIR);
    this.uploads = join(root, UPLOADS_DIR);
    this.tmp = join(root, TMP_DIR);
  }

  /** Directory holding the blob (`blobs/<alg>/<first 2 hex>`). */
  blobDir(d: BlobAddress): string {
    return join(this.blobs, d.algorithm, d.encoded.slice(0, 2));
  }

  /** `blobs/<alg>/<first 2 hex>/<hex>` */
  blobFile(d: BlobAddress): string {
    return join(this.blobDir(d), d.encoded);
  }

  /** `uploads/<id>`; the id must have been checked with {@link isUploadId}. */
  uploadDir(id: string): string {
    if (!isUploadId(id)) throw new Error(`not an upload id: ${JSON.stringify(id)}`);
    return join(this.uploads, id);
  }

  /** `uploads/<id>/data` */
  uploadData(id: string): string {
    return join(this.uploadDir(id), UPLOAD_DATA_FILE);
  }

  /** `tmp/<name>` */
  tmpFile(name: string): string {
    if (!isUploadId(name)) throw new Error(`not a temp name: ${JSON.stringify(name)}`);
    return join(this.tmp, name);
  }
}
