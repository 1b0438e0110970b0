/** A manifest of one image as cleanup and eviction see it. */
export interface CatalogManifest {
  image: string;
  digest: string;
  mediaType: string;
  size: number;
  createdAt: Date;
  lastDownloadedAt?: Date;
  subject?: string;
  /** Digests it references: blobs (layers, config) and child manifests. */
  references: string[];
  /** Tags pointing at it, with when each last moved to new content. */
  tags: { name: string; updatedAt: Date }[];
}

/** A manifest of a repository, by image and digest. */
export interface ManifestKey {
  image: string;
  digest: string;
}

/** A tag that must still point at `digest` to be deleted. */
export interface TagKey extends ManifestKey {
  tag: string;
}

/** What a repository (or several together) stores: distinct digests (blobs and manifests) and their bytes. */
export interface StoredBytes {
  blobCount: number;
  totalBytes: number;
}

/** Port: a repository's content as one graph, for cleanup policies, eviction and image sizes. */
export abstract class ContentCatalog {
  /** Every manifest of the repository (of one image when given), with its references and tags. */
  abstract manifests(repository: string, image?: string): Promise<CatalogManifest[]>;
  /**
   * What each repository stores: the distinct digests of its blob links and manifests, each counted once per
   * repository (a blob shared by two repositories counts in both). Repositories storing nothing are absent.
   */
  abstract storedBytes(): Promise<Map<string, StoredBytes>>;
  /** The same for several repositories together: each digest counted once among them. */
  abstract storedBytesOf(repositories: string[]): Promise<StoredBytes>;
  /** Sizes of the stored blobs among `digests` (blob links and manifests anywhere); absent = not stored. */
  abstract sizes(digests: string[]): Promise<Map<string, number>>;
  /**
   * Of `digests`, those that a manifest other than the `excluded` ones of `repository` holds (as its own
   * bytes or as a reference), in any repository: what removing the excluded manifests would NOT free.
   */
  abstract heldElsewhere(digests: string[], repository: string, excluded: ManifestKey[]): Promise<Set<string>>;
  /**
   * Removes, atomically: each tag that still points at its digest, then each manifest that no tag, no
   * remaining manifest (as a child) and no tagged referrer needs any more, with its references. A tag
   * or manifest that a concurrent push made needed again stays. Returns what was removed.
   */
  abstract remove(repository: string, tags: TagKey[], manifests: ManifestKey[]): Promise<{ tags: TagKey[]; manifests: ManifestKey[] }>;
}
