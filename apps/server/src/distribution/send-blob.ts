import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { BlobHandle } from '@wharf/registry-core';

/**
 * Sends a blob as the body of a response whose headers are set. A stored blob on a plain TCP connection
 * goes out with sendfile(2) (the store's `sendToSocket`): the headers are flushed first, then the kernel
 * sends the file, and the JavaScript thread copies nothing. Otherwise, or when the store declines, the
 * blob's own `sendTo` copies the bytes.
 */
export async function sendBlob(res: ServerResponse, blob: BlobHandle): Promise<void> {
  const fd = blob.sendToSocket ? plainSocketFd(res) : null;
  if (fd !== null) {
    const socket = res.socket!;
    res.flushHeaders();
    // A zero-length write's callback runs once everything queued before it (the headers) reached the kernel.
    await new Promise<void>((resolve, reject) => socket.write(Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
    let sent: boolean;
    try {
      sent = await blob.sendToSocket!(fd);
    } catch (err) {
      // Part of the body may be out: the response cannot be completed, nor the connection reused.
      socket.destroy();
      throw err;
    }
    if (sent) {
      await new Promise<void>((resolve, reject) => res.end((err?: Error | null) => (err ? reject(err) : resolve())));
      return;
    }
  }
  await blob.sendTo(res);
}

/** The descriptor of the response's connection when it is plain TCP with nothing queued, else null. */
function plainSocketFd(res: ServerResponse): number | null {
  const socket = res.socket as (Socket & { _handle?: { fd?: unknown } }) | null;
  if (!socket || socket instanceof TLSSocket || socket.destroyed || res.writableLength > 0) return null;
  const fd = socket._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}
