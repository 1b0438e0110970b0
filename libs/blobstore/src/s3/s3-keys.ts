import { checkDigest } from '../fs/paths';

/**
 * Object keys of an S3 blob store, under its prefix:
 *
 * ```
 * <prefix>blobs/sha256/ab/abcd…        complete, verified blobs (visible only once their digest matched)
 * <prefix>uploads/<uuid>/session       marker of an upload session (created with it)
 * <prefix>uploads/<uuid>/<offset>      the bytes of one append, at that offset (16 digits, so keys sort by offset)
 * ```
 *
 * Digests and upload ids are validated before they become keys (the same grammar as the file store).
 */
export class S3Keys {
  constructor(readonly prefix: string) {}

  blob(digest: string): string {
    const { algorithm, encoded } = checkDigest(digest);
    return `${this.prefix}blobs/${algorithm}/${encoded.slice(0, 2)}/${encoded}`;
  }

  get blobs(): string {
    return `${this.prefix}blobs/`;
  }

  /** The digest of a blob key, or null for anything else under blobs/. */
  digestOf(key: string): string | null {
    const match = /^blobs\/(sha256|sha512)\/([0-9a-f]{2})\/([0-9a-f]+)$/.exec(key.slice(this.prefix.length));
    if (!match || !match[3]!.startsWith(match[2]!)) return null;
    try {
      return checkDigest(`${match[1]}:${match[3]}`).digest;
    } catch {
      return null;
    }
  }

  get uploads(): string {
    return `${this.prefix}uploads/`;
  }

  upload(id: string): string {
    return `${this.uploads}${id}/`;
  }

  session(id: string): string {
    return `${this.upload(id)}session`;
  }

  chunk(id: string, offset: number): string {
    return `${this.upload(id)}${String(offset).padStart(16, '0')}`;
  }

  /** The offset of a chunk key of the upload, or null (the session marker). */
  chunkOffset(id: string, key: string): number | null {
    const name = key.slice(this.upload(id).length);
    return /^\d{16}$/.test(name) ? Number(name) : null;
  }
}
