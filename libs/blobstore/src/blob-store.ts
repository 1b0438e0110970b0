import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { IncomingBody } from '@wharf/native-io';

/** A stored blob: canonical digest ("sha256:<hex>") and size in bytes. */
export interface BlobInfo {
  digest: string;
  size: number;
}

/** A blob as found by {@link BlobStore.list}: what garbage collection and usage figures need. */
export interface StoredBlob extends BlobInfo {
  /** When the blob was last written (placed or replaced) in the store. */
  lastModified: Date;
}

/** A byte range, both ends inclusive (as in HTTP `Range: bytes=start-end`). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * A blob's bytes, ready to go out once: the whole blob or a slice of it. This is what repositories hand to
 * the protocol layer; only the store that made it knows how the bytes travel (sendfile(2) from a local file,
 * following a file still being received, a stream from an object store). Opened: deleting the blob
 * afterwards does not cut it short.
 *
 * Use it exactly once: `deliver`, `stream` or `close` (`slice` gives a new content in its place).
 */
export interface BlobContent {
  readonly digest: string;
  /** Total size of the blob. */
  readonly size: number;
  /** The bytes this content stands for, both ends inclusive; undefined for the whole blob. */
  readonly range: ByteRange | undefined;
  /**
   * The same blob narrowed to `range`, without opening it again; this content is then spent. A range outside
   * the blob is RegistryError RANGE_INVALID (and this content is closed).
   */
  slice(range: ByteRange): BlobContent;
  /**
   * Sends the bytes as the body of `response`, whose status and headers are set, and ends it. Resolves once
   * the last byte went out. Rejects when it could not send them all: the response is then destroyed if any of
   * the body may be out (the client sees a cut connection, never a short body it could take as complete).
   * Content following a write that fails rejects with that write's error.
   */
  deliver(response: ServerResponse): Promise<void>;
  /** The bytes as a stream, for readers inside the process; consume it or destroy it. */
  stream(): Readable;
  /** Gives the content up unread. */
  close(): Promise<void>;
  /**
   * A URL the client may fetch the whole blob from itself instead (an object store's presigned GET), when
   * the store is set to hand such URLs out; null (or absent) to deliver. Only for whole-blob requests.
   */
  location?(): Promise<string | null>;
}

/** What a blob store writes: a stream, or a body that can receive itself into a file (see @wharf/native-io). */
export type BlobSource = Readable | IncomingBody;

export interface WriteOptions {
  /** Called with the number of bytes received so far, each time more land. */
  onProgress?(bytes: number): void;
  /** Called once, early, with the write in progress: readers may follow it from then on. */
  onStarted?(write: WriteInProgress): void;
  /** Called as soon as the content is known to match the expected digest and size (before it is durable). */
  onVerified?(): void;
}

/** A write under way, which any number of readers may follow while it arrives (a proxy's cold fill). */
export interface WriteInProgress {
  /**
   * The blob being written, as content: bytes go out as they arrive, the last one only once the digest
   * matched, so a corrupt blob never reaches anyone as a complete body; when the write fails, its followers
   * fail with its error. Resolves once the size is known (at once when the write was given one); rejects with
   * the write's error when it failed first. Once the write completed, the stored blob (null if it was deleted since).
   */
  follow(): Promise<BlobContent | null>;
}

/**
 * Content-addressed blob storage. Digests are validated (RegistryError DIGEST_INVALID for
 * malformed ones); absent blobs are `null`/`false`, never a raw storage error.
 */
export interface BlobStore {
  stat(digest: string): Promise<BlobInfo | null>;
  /** The blob's content, opened (whole: use `slice` for a range); null when absent. */
  open(digest: string): Promise<BlobContent | null>;
  /**
   * Stores a blob. Bytes go to a temporary place while hashed, and become visible only once the digest (and
   * size when given) match and they are durable; otherwise RegistryError DIGEST_INVALID / SIZE_INVALID and
   * nothing is visible. A stream is read with backpressure. If the blob already exists the new copy is
   * discarded. Without an expected digest the blob is hashed with sha256.
   */
  write(source: BlobSource, expected?: { digest?: string; size?: number }, options?: WriteOptions): Promise<BlobInfo>;
  /** Removes a blob; false when it was absent. */
  delete(digest: string): Promise<boolean>;
  /**
   * Every complete blob in the store, in no particular order, streamed (never collected whole in
   * memory). Blobs written or deleted while the walk runs may or may not appear; in-flight writes and
   * upload sessions never do.
   */
  list(): AsyncIterable<StoredBlob>;
  /** Bytes the store can still take (free space of its file system); null when unbounded or unknown (object stores). */
  availableSpace(): Promise<number | null>;
  readonly uploads: UploadStore;
}

/** Resumable upload sessions (the bytes only; who owns a session is tracked elsewhere). */
export interface UploadStore {
  /** Starts a session; returns its new random id (uuid). */
  create(): Promise<string>;
  /** Bytes received so far; null = unknown (or malformed) id. */
  size(id: string): Promise<number | null>;
  /**
   * Appends at `offset`, which must equal the current size (else RegistryError RANGE_INVALID,
   * 416). Unknown id -> BLOB_UPLOAD_UNKNOWN. Returns the new size. A stream is consumed with
   * backpressure; a body that can receive itself (IncomingBody) may be asked to write into the
   * session's file at `offset`, continuing its running hash, off the JavaScript thread. If the source errors/aborts midway, the bytes that did arrive may stay (size
   * reflects them) — but never corrupt the blob store.
   */
  append(id: string, source: BlobSource, offset: number): Promise<number>;
  /**
   * Verifies the upload's digest (incrementally kept hash state when this process saw every
   * byte in order; otherwise re-hash the file), fsyncs and renames into the blob store, removes
   * the session. Mismatch -> DIGEST_INVALID and the session stays (the client may
   * retry/cancel). Unknown id -> BLOB_UPLOAD_UNKNOWN.
   */
  commit(id: string, digest: string): Promise<BlobInfo>;
  /** Removes a session; false when it was unknown. */
  cancel(id: string): Promise<boolean>;
  /** Removes sessions whose data was last modified before `olderThan`; returns their ids. */
  purge(olderThan: Date): Promise<string[]>;
}
