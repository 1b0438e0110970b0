import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { TLSSocket } from 'node:tls';

/** libs/blobstore/native (sendfile.cc), built by scripts/build-native.js. */
interface NativeSendfile {
  send(socketFd: number, fileFd: number, offset: number, count: number, idleTimeoutMs: number): Promise<number>;
}

/** Transfers running at once; past this, downloads take the JavaScript path (each transfer is a thread). */
const MAX_CONCURRENT = 64;
/** A client that takes no byte for this long is cut off. */
const IDLE_TIMEOUT_MS = 120_000;

const native: NativeSendfile | null = load();
let running = 0;
let transfers = 0;

function load(): NativeSendfile | null {
  if (process.platform !== 'linux' || process.env.WHARF_ZERO_COPY === 'off') return null;
  try {
    // The same relative path from src/fs (tests) and dist/fs (the build).
    return createRequire(__filename)('../../native/build/Release/wharf_sendfile.node') as NativeSendfile;
  } catch {
    return null;
  }
}

/** Whether downloads can use sendfile(2) here (Linux, the addon built, not turned off with WHARF_ZERO_COPY=off). */
export function zeroCopyAvailable(): boolean {
  return native !== null;
}

/** Downloads sent with sendfile(2) since start (tests and metrics). */
export function zeroCopyTransfers(): number {
  return transfers;
}

/**
 * Sends `count` bytes of the file at `offset` as the body of an HTTP response with sendfile(2): the kernel
 * moves page-cache pages to the socket, off the JavaScript thread, with no copy through a buffer. Returns
 * false, having done nothing, when that is not possible (no addon, not a plain-TCP HTTP response, too many
 * transfers); then the caller sends the bytes itself. Once it started it ends the response, or throws.
 */
export async function sendFileZeroCopy(destination: Writable, fileFd: number, offset: number, count: number): Promise<boolean> {
  if (!native || running >= MAX_CONCURRENT || count === 0) return false;
  const res = destination as Partial<ServerResponse>;
  const socket = res.socket as (Socket & { _handle?: { fd?: unknown } }) | null | undefined;
  if (!socket || socket instanceof TLSSocket || typeof res.flushHeaders !== 'function' || destination.writableLength > 0) return false;
  const fd = socket._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return false;
  running += 1;
  try {
    // The status line and headers must be in the kernel before the body: flush them, then wait for a
    // zero-length socket write queued behind them (its callback runs once everything before it went out).
    res.flushHeaders();
    await new Promise<void>((resolve, reject) => socket.write(Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
    if (socket.destroyed) throw new Error('the client went away');
    try {
      await native.send(fd, fileFd, offset, count, IDLE_TIMEOUT_MS);
    } catch (err) {
      // Part of the body may be out: the response cannot be completed, the connection cannot be reused.
      socket.destroy();
      throw err;
    }
    transfers += 1;
    await new Promise<void>((resolve, reject) => destination.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return true;
  } finally {
    running -= 1;
  }
}
