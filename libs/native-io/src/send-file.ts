import { addon } from './addon';
import type { Gate } from './gate';

/** Transfers running at once; past this, callers send the bytes themselves (each transfer is a thread). */
const MAX_CONCURRENT = 64;
/** A client that takes no byte for this long is cut off. */
const IDLE_TIMEOUT_MS = 120_000;

let running = 0;
let transfers = 0;

/** Sends done with sendfile(2) since start (tests). */
export function zeroCopyTransfers(): number {
  return transfers;
}

/**
 * Sends `count` bytes of the file at `offset` to a connected socket with sendfile(2): the kernel moves
 * page-cache pages to the socket on a thread of the addon's, with no copy through JavaScript. Returns
 * false, having done nothing, when that is not possible here (no addon, nothing to send, too many
 * transfers). Nothing else may write to the socket until the promise settles; once it has started, it
 * resolves when every byte went out or throws (part of the bytes may be out). With a `gate` (a file still
 * being written) it sends bytes as the gate allows them and throws with code 'ESOURCE' if the write fails.
 */
export async function sendFileToSocket(socketFd: number, fileFd: number, offset: number, count: number, gate?: Gate): Promise<boolean> {
  if (!addon || running >= MAX_CONCURRENT || count === 0 || (gate && !gate.handle)) return false;
  running += 1;
  try {
    await addon.send(socketFd, fileFd, offset, count, IDLE_TIMEOUT_MS, gate?.handle ?? undefined);
    transfers += 1;
    return true;
  } finally {
    running -= 1;
  }
}
