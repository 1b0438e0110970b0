import { addon, type HasherHandle } from './addon';

/**
 * A running SHA-256/512 kept by the addon (hasher.h), so that a body the addon receives on one of its threads
 * can continue it: an upload's hash goes on across appends whichever way their bytes came. `update` is the
 * JavaScript way in; `hex` is the digest so far (the hash goes on).
 */
export class Hasher {
  private constructor(
    readonly algorithm: 'sha256' | 'sha512',
    readonly handle: HasherHandle,
  ) {}

  /** A new running hash; null without the addon. */
  static create(algorithm: 'sha256' | 'sha512'): Hasher | null {
    return addon ? new Hasher(algorithm, addon.hasher(algorithm)) : null;
  }

  update(chunk: Buffer): void {
    addon!.hasherUpdate(this.handle, chunk);
  }

  /** Lowercase hex digest of every byte so far. */
  hex(): string {
    return addon!.hasherDigest(this.handle);
  }
}
