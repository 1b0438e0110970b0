import type { Readable } from 'node:stream';
import type { Hasher } from './hasher';

/**
 * A body that can write itself into a file off the JavaScript thread, hashing every byte as it lands (an
 * upstream blob received by the native HTTP client, an upload body taken off the server's HTTP parser). A blob store with a local file passes its descriptor to
 * `receive`; any store may read `stream()` instead. Taken once, one way or the other. (Declared here, below
 * both the upstream client that makes such bodies and the blob store that takes them.)
 */
export interface IncomingBody {
  /** Bytes announced (Content-Length); null when unknown (chunked, or until the connection closes). */
  readonly length: number | null;
  /** The body as a stream, as any other source. */
  stream(): Readable;
  /**
   * Writes the whole body into the open file `fd` from `options.position` (default 0), hashing it with
   * `options.algorithm`; resolves with the byte count and the lowercase hex digest. Rejects with code 'ETOOBIG' past `options.maxBytes`, with
   * code 'EWRITE' when the file cannot be written, otherwise with the source's own error. Resolves with null,
   * having taken nothing, when it cannot after all (then read `stream()`); absent when it never can.
   */
  receive?(fd: number, options: ReceiveOptions): Promise<{ bytes: number; hex: string } | null>;
}

export interface ReceiveOptions {
  algorithm: 'sha256' | 'sha512';
  /** File offset of the first byte (an upload's append); 0 when absent. */
  position?: number;
  /**
   * A running hash to continue (an upload's, which earlier appends fed): every byte received is added to it and
   * `hex` is its digest so far. A fresh hash of the body alone when absent. Same algorithm.
   */
  hasher?: Hasher;
  /** Fail rather than write more than this; null = no bound. */
  maxBytes: number | null;
  /** Told the number of bytes in the file now and then, as they land. */
  onProgress(bytes: number): void;
}
