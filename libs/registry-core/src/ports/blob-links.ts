/** Port: which blobs each (repository, image) may serve. Blob bytes are shared; links give access. */
export abstract class BlobLinks {
  /** Links a blob the caller has just placed in the store under a claim (BlobClaims). */
  abstract link(repository: string, image: string, digest: string, size: number): Promise<void>;
  /**
   * Links a blob the store already holds for someone else (a mount, a proxy serving a blob another of its
   * images fetched): only while some link, manifest or reference still holds the digest and no collection
   * is deleting it, checked atomically. false when it is no longer held (treat the blob as absent).
   */
  abstract linkIfHeld(repository: string, image: string, digest: string, size: number): Promise<boolean>;
  /**
   * Marks the link as confirmed to a pusher now (its grace period against collection starts again), when
   * it was last confirmed before `staleBefore`. false when there is no such link.
   */
  abstract confirm(repository: string, image: string, digest: string, staleBefore: Date): Promise<boolean>;
  abstract get(repository: string, image: string, digest: string): Promise<{ size: number; linkedAt: Date } | null>;
  /** Does any image of the repository hold this blob? (A proxy serves a cached blob to any of its images.) */
  abstract inRepository(repository: string, digest: string): Promise<boolean>;
  abstract unlink(repository: string, image: string, digest: string): Promise<boolean>;
}
