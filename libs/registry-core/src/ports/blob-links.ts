/** Port: which blobs each (repository, image) may serve. Blob bytes are shared; links give access. */
export abstract class BlobLinks {
  abstract link(repository: string, image: string, digest: string, size: number): Promise<void>;
  abstract get(repository: string, image: string, digest: string): Promise<{ size: number } | null>;
  abstract unlink(repository: string, image: string, digest: string): Promise<boolean>;
}
