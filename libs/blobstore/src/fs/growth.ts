import type { Gate } from '@wharf/native-io';

/**
 * A file still being written, as its readers see it (implemented by ReceivingFile, the one place that decides
 * how far they may go).
 */
export interface Growth {
  /** Bytes from offset 0 readers may read now. */
  available(): number;
  /** Every byte may go out (the digest matched): a reader at the end of its range may finish. */
  readonly complete: boolean;
  /** Why the write failed, once it did. */
  readonly error: Error | undefined;
  /** Resolves at the next change (more bytes, verified, failed). */
  next(): Promise<void>;
  /** The same bound for sendfile(2) threads. */
  readonly gate: Gate;
}

/**
 * How far (exclusive) a reader of bytes [.., end] may read now: a stored file to the end of the range; a
 * growing one as far as its write allows, and never the range's own last byte before the write is complete,
 * so that no response is finished with bytes that then fail verification.
 */
export function readableStop(end: number, growth: Growth | undefined): number {
  if (!growth || growth.complete) return end + 1;
  return Math.min(end, growth.available());
}
