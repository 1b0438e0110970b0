import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** The descriptor of the response's connection when it is plain TCP with nothing queued on it, else null. */
export function plainSocketFd(response: ServerResponse): number | null {
  const socket = response.socket as (Socket & { _handle?: { fd?: unknown } }) | null;
  if (!socket || socket instanceof TLSSocket || socket.destroyed || response.writableLength > 0) return null;
  const fd = socket._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

/**
 * Writes the response's head to its socket and resolves once it reached the kernel, so that bytes sent to the
 * socket's descriptor behind Node's back come after it.
 */
export async function flushHead(response: ServerResponse): Promise<void> {
  response.flushHeaders();
  const socket = response.socket!;
  // A zero-length write's callback runs once everything queued before it (the head) reached the kernel.
  await new Promise<void>((resolve, reject) => socket.write(Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
}

/** Ends the response, resolving once it is flushed. */
export function endResponse(response: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => response.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
