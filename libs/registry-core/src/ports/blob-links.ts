/** Port: which blobs each (repository, image) may serve. Blob bytes are shared; links give access. */
export abstract class BlobLinks {
  abstract link(repository: string, image: string, digest: string, size: number): Promise<void>;
  abstract get(repository: string, image: string, digest: string): Promise<{ size: number } | null>;
  /** Does any image of the repository hold this blob? (A proxy serves a cached blob to any of its images.) */
  abstract inRepository(repository: string, digest: string): Promise<boolean>;
  abstract unlink(repository: string, image: string, digest: string): Promise<boolean>;
}
