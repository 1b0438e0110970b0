/** A writer's hold on one digest (see {@link BlobClaims}). */
export interface BlobClaim {
  /** Ends the hold (after the bytes are linked, or when the write failed). */
  release(): Promise<void>;
}

/**
 * Port: holds on blobs that garbage collection respects. Every path that puts bytes into the blob
 * store (or relies on bytes already there) claims the digest BEFORE it writes and releases it AFTER it
 * has linked or referenced them, so a collection can never delete a blob between "it is in the store"
 * and "something points at it". Claims live in the database, so they hold across processes.
 */
export abstract class BlobClaims {
  /**
   * Claims `digest`. While a collection is deleting that digest this waits for the deletion to finish
   * (the writer then writes the bytes again); it fails with UNAVAILABLE if that takes too long.
   */
  abstract claim(digest: string): Promise<BlobClaim>;
}
