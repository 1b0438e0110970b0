import type { BlobRead } from '@wharf/blobstore';
import type { BlobHandle } from './docker-repository';

/** A stored blob as a handle: the stream stays lazy, so `sendTo` (the fast path) does not open it needlessly. */
export function blobHandle(digest: string, read: BlobRead, ranged: boolean): BlobHandle {
  return {
    digest,
    size: read.size,
    ...(ranged ? { range: { start: read.start, end: read.end } } : {}),
    get stream() {
      return read.stream;
    },
    sendTo: (destination) => read.sendTo(destination),
    ...(read.sendToSocket ? { sendToSocket: read.sendToSocket } : {}),
  };
}
