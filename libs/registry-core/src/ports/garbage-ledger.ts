/**
 * Port: what the garbage collector asks the database. Each method is atomic on its own; together with
 * {@link BlobClaims} and the checks in ManifestIndex.put they decide what may be deleted (see
 * docs/garbage-collection.md for the protocol and its race cases).
 */
export abstract class GarbageLedger {
  /**
   * Deletes the blob links created (or last confirmed to a pusher) before `before` that no manifest of
   * their image references: uploads never used, and what deleted manifests left. Returns how many.
   */
  abstract dropUnreferencedLinks(before: Date): Promise<number>;
  /** The mark phase: every digest a manifest, a manifest reference, a blob link or a live claim holds. */
  abstract heldDigests(): Promise<Set<string>>;
  /**
   * Of `digests`, records as being deleted (by `owner`, for `leaseMs`) those that nothing holds at this
   * moment: no manifest, reference, link, live claim or running deletion. Returns those; only they may
   * be deleted from the store, and until {@link endDeletion} no writer can claim them.
   */
  abstract beginDeletion(digests: string[], owner: string, leaseMs: number): Promise<string[]>;
  /** Of `digests`, those whose deletion `owner` still holds (its lease has not run out). */
  abstract stillDeleting(digests: string[], owner: string): Promise<string[]>;
  /** Forgets finished deletions (the blobs are gone from the store). */
  abstract endDeletion(digests: string[]): Promise<void>;
  /** Takes over the deletions whose lease ran out (their collection died), for `owner`; returns their digests. */
  abstract resumeDeletions(owner: string, leaseMs: number): Promise<string[]>;
  /**
   * Lets every recorded deletion's lease run out now, so that the next collection (or a writer needing the
   * digest) takes it over at once; returns how many. Same condition as TaskStore.abandonLeases: only at the
   * start of a process that is alone on the database.
   */
  abstract abandonDeletions(): Promise<number>;
}
