import type { Readable, Writable } from 'node:stream';

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
 * An opened blob. `size` is the TOTAL blob size; `start`/`end` (inclusive) are the bytes the
 * stream delivers, so it yields `end - start + 1` bytes (for an empty blob: start 0, end -1).
 */
export interface BlobRead {
  /** The bytes as a stream; consume it or destroy it. */
  stream: Readable;
  size: number;
  start: number;
  end: number;
  /**
   * The fastest way to send the bytes, used instead of `stream` (never both): ends `destination` when done.
   * Implementations without a better way pipe the stream.
   */
  sendTo(destination: Writable): Promise<void>;
  /**
   * Sends the bytes to a connected socket (by descriptor) inside the kernel, when the store can (a local
   * file and sendfile(2)); false when it cannot, having done nothing, so `sendTo` or `stream` still apply.
   * Nothing else may write to the socket until it settles; once started it sends everything or throws.
   */
  sendToSocket?(socketFd: number): Promise<boolean>;
}

/**
 * A body of known length arriving on a plain TCP connection (a proxy's upstream blob). A store that can
 * takes the connection over and receives the bytes itself, off the JavaScript thread; otherwise it reads
 * `stream()`. Taken once, one way or the other.
 */
export interface SocketBody {
  /** Bytes of the whole body. */
  readonly length: number;
  /** Give up when no byte arrives for this long. */
  readonly idleTimeoutMs: number;
  /** The body as a stream, as any other source. */
  stream(): Readable;
  /**
   * Hands the connection over, synchronously: the body bytes already received (`head`) and a descriptor
   * of the socket, made with `dup`, that the taker now owns and reads the rest from. null when it cannot
   * (then `stream()` still works).
   */
  takeSocket(dup: (fd: number) => number): { fd: number; head: Buffer } | null;
}

/** Lets readers follow a blob while it is being written (a proxy's cold fill serving several clients). */
export interface WriteOptions {
  /** Called with the number of bytes that have reached the temporary file, each time more land. */
  onProgress?(bytes: number): void;
  /** Called once the temporary file exists, before the write completes. */
  onSpool?(spool: Spool): void;
  /** Called as soon as the content is known to match the expected digest and size (before fsync and rename). */
  onVerified?(): void;
}

/** The in-progress file of one write. Unverified bytes: callers must not present them as complete before the write resolves. */
export interface Spool {
  /** A reader of the file as it grows; null once the file has been committed or discarded. An open reader stays valid after either. */
  open(): Promise<SpoolReader | null>;
}

export interface SpoolReader {
  /** Reads up to buffer.length bytes at `position`; fewer (or 0) when not yet written. */
  read(buffer: Buffer, position: number): Promise<number>;
  /**
   * Sends `count` bytes from `position` to a connected socket (by descriptor) inside the kernel as they are
   * written, when the store can (a socket ingest and sendfile(2)); false when it cannot, having done nothing.
   * Throws an error with code 'ESOURCE' when the write being followed fails (its own error is on `write`), or
   * the socket's error (part of the bytes may be out). Present only where it may work.
   */
  sendToSocket?(socketFd: number, position: number, count: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Content-addressed blob storage. Digests are validated (RegistryError DIGEST_INVALID for
 * malformed ones); absent blobs are `null`/`false`, never a raw storage error.
 */
export interface BlobStore {
  stat(digest: string): Promise<BlobInfo | null>;
  /**
   * Opens the blob for reading (whole or a range already validated by the caller). null when
   * absent. Uses large reads (1 MiB) — this is the hot path for layer downloads. A range outside
   * the blob is rejected with RegistryError RANGE_INVALID.
   */
  read(digest: string, range?: ByteRange): Promise<BlobRead | null>;
  /**
   * Stores a stream. Bytes go to a temporary file while hashed, the file is fsynced and renamed
   * into place only if the digest (and size when given) match; otherwise RegistryError
   * DIGEST_INVALID / SIZE_INVALID and nothing is visible. Backpressure respected
   * (stream.pipeline). If the blob already exists the temp copy is discarded. Without an
   * expected digest the blob is hashed with sha256. A SocketBody may be received off the JavaScript thread.
   */
  write(source: Readable | SocketBody, expected?: { digest?: string; size?: number }, options?: WriteOptions): Promise<BlobInfo>;
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
   * 416). Unknown id -> BLOB_UPLOAD_UNKNOWN. Returns the new size. The stream is consumed with
   * backpressure. If the source errors/aborts midway, the bytes that did arrive may stay (size
   * reflects them) — but never corrupt the blob store.
   */
  append(id: string, source: Readable, offset: number): Promise<number>;
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
