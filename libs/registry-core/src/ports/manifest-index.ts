/** What the metadata store knows of one manifest held by one image of one repository. */
export interface ManifestRecord {
  digest: string;
  mediaType: string;
  size: number;
  artifactType?: string;
  /** Digest of the manifest's `subject`, for the referrers API. */
  subject?: string;
  annotations?: Record<string, string>;
  createdAt: Date;
  lastDownloadedAt?: Date;
  /** Proxies: when the upstream last confirmed it still has this manifest. */
  verifiedAt?: Date;
}

/** A pull that served `digest` from (repository, image) at `at`. */
export interface ManifestDownload {
  repository: string;
  image: string;
  digest: string;
  at: Date;
}

/** Port: which manifests each (repository, image) holds. */
export abstract class ManifestIndex {
  abstract get(repository: string, image: string, digest: string): Promise<ManifestRecord | null>;
  /**
   * Records the manifest and the blobs/child manifests it references (for garbage collection). Each digest
   * of `requirePresent` must, at that moment, be linked to the image (a blob) or be a manifest of it; the
   * check and the write are one atomic step, so a collection cannot free one of them in between. Returns
   * the first required digest that is not there (and stores nothing), or null.
   */
  abstract put(repository: string, image: string, record: ManifestRecord, references: string[], requirePresent?: string[]): Promise<string | null>;
  /** Records that the upstream confirmed the manifest at `at` (proxies, contentMaxAge). */
  abstract markVerified(repository: string, image: string, digest: string, at: Date): Promise<void>;
  abstract delete(repository: string, image: string, digest: string): Promise<boolean>;
  abstract referrers(repository: string, image: string, subject: string): Promise<ManifestRecord[]>;
  abstract hasImage(repository: string, image: string): Promise<boolean>;
  /** Moves each manifest's last-downloaded time forward to `at` (never back); unknown manifests are skipped. */
  abstract recordDownloads(downloads: ManifestDownload[]): Promise<void>;
}
