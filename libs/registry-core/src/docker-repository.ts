import { Readable } from 'node:stream';
import type { BlobContent, BlobInfo, BlobSource } from '@wharf/blobstore';
import type { Descriptor } from '@wharf/oci';
import type { Page, PageRequest } from './page';
import type { RepositoryType } from './repository-config';

/** A manifest exactly as it was pushed: its bytes, media type and digest. */
export interface ManifestHandle {
  digest: string;
  mediaType: string;
  size: number;
  bytes: Buffer;
}

/**
 * A blob's bytes as repositories hand them out: opened by the blob store that holds them (or follows them
 * while a proxy receives them), passed along untouched, sent once by the protocol layer (`deliver`). A range
 * is taken with `slice` once the caller knows the size.
 */
export type BlobHandle = BlobContent;

export interface UploadStatus {
  id: string;
  /** Bytes received so far. */
  offset: number;
}

export interface PutManifestResult {
  digest: string;
  /** Set when the manifest has a `subject` (OCI-Subject response header). */
  subject?: string;
}

/** Where a cross-repository mount takes its blob from. */
export interface MountSource {
  repository: DockerRepository;
  image: string;
}

/** How one caller sees a repository: which repositories it may read, and containerd's `ns=` registry hint. */
export interface ReadView {
  canRead?: (repository: string) => boolean;
  ns?: string;
  /**
   * The caller has not logged in: where a member it may not read might hold what it asks for, a group raises
   * `LoginRequired` rather than "not found", so that clients send their credentials and ask again.
   */
  loginForHidden?: boolean;
}

/**
 * The one contract every repository type implements (hosted, proxy, group).
 * `image` is the name inside the repository (e.g. `library/busybox`);
 * references and digests have been validated by the protocol layer.
 */
export interface DockerRepository {
  readonly name: string;
  readonly type: RepositoryType;

  getManifest(image: string, reference: string, accept?: string): Promise<ManifestHandle | null>;
  /** `cachedOnly`: answer from what is stored here, never asking a remote (a group checking before a push). */
  statBlob(image: string, digest: string, options?: { cachedOnly?: boolean }): Promise<BlobInfo | null>;
  getBlob(image: string, digest: string): Promise<BlobHandle | null>;
  listTags(image: string, page: PageRequest): Promise<Page<string>>;
  listImages(page: PageRequest): Promise<Page<string>>;
  listReferrers(image: string, digest: string, artifactType?: string): Promise<Descriptor[]>;

  startUpload(image: string): Promise<UploadStatus>;
  getUpload(image: string, id: string): Promise<UploadStatus>;
  /** `body`: the request body as a stream, or (taken off the HTTP parser) a body that can receive itself into a file. */
  appendUpload(image: string, id: string, body: BlobSource, start?: number): Promise<UploadStatus>;
  finishUpload(image: string, id: string, digest: string, body?: BlobSource): Promise<BlobInfo>;
  cancelUpload(image: string, id: string): Promise<void>;
  putBlob(image: string, digest: string, body: BlobSource): Promise<BlobInfo>;
  mountBlob(image: string, digest: string, from: MountSource): Promise<BlobInfo | null>;

  putManifest(image: string, reference: string, bytes: Buffer, contentType?: string): Promise<PutManifestResult>;
  deleteManifest(image: string, digest: string): Promise<void>;
  deleteTag(image: string, tag: string): Promise<void>;
  deleteBlob(image: string, digest: string): Promise<void>;

  /** Groups answer with a view limited to what the caller may read; other types need not implement it. */
  restrictTo?(view: ReadView): DockerRepository;

  /** Drops what the repository remembers of its content (cleanup or eviction removed some behind its back). */
  forgetCached?(): void;
  /**
   * Where writes to this repository land: a group's writable member (RegistryError DENIED when it has none).
   * Other types take their own writes and need not implement it.
   */
  writeTarget?(): DockerRepository;
}

/**
 * Lets a request body nobody will read go: a stream is drained so that its connection can serve the next request;
 * a body taken off the HTTP parser is left alone (the server closes its connection after the answer).
 */
export function drainBody(body: BlobSource | undefined): void {
  if (body instanceof Readable) body.resume();
}
