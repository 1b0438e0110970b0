import type { Page, PageRequest } from '../page';

export interface TagRecord {
  image: string;
  name: string;
  digest: string;
  updatedAt: Date;
  /** For proxies: when the upstream last confirmed this tag -> digest. */
  verifiedAt?: Date;
}

/** Port: tags and the images that have any. */
export abstract class TagIndex {
  abstract get(repository: string, image: string, tag: string): Promise<TagRecord | null>;
  abstract set(repository: string, image: string, tag: string, digest: string, verifiedAt?: Date): Promise<void>;
  /** Forgets when every tag of the repository was last verified, so proxies revalidate them on next use. */
  abstract expireAll(repository: string): Promise<void>;
  /** Creates the tag unless it exists (atomically); returns the digest the tag points to afterwards. */
  abstract claim(repository: string, image: string, tag: string, digest: string): Promise<string>;
  abstract delete(repository: string, image: string, tag: string): Promise<boolean>;
  /** Removes every tag of the image that points to `digest`; returns how many. */
  abstract deleteByDigest(repository: string, image: string, digest: string): Promise<number>;
  abstract list(repository: string, image: string, page: PageRequest): Promise<Page<string>>;
  /** Images of the repository holding at least one manifest, sorted. */
  abstract listImages(repository: string, page: PageRequest): Promise<Page<string>>;
  /** Every tag of the repository ordered by (image, tag), after the cursor `image:tag`. */
  abstract listAll(repository: string, page: PageRequest): Promise<Page<TagRecord>>;
}
