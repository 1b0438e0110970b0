import { closeSync } from 'node:fs';
import { addon } from './addon';

let ingests = 0;

/** Bodies received by the addon since start (tests). */
export function socketIngests(): number {
  return ingests;
}

/**
 * Receives exactly `total` bytes of a body from a connected socket into `fileFd` from offset 0 on a thread of
 * the addon, hashing them as they arrive: no byte passes through JavaScript. `head` (bytes already read off
 * the socket) comes first. Takes ownership of `socketFd` (pass a duplicate). Resolves with the hex digest;
 * rejects with an Error whose `code` is EOF, EREAD, ETIMEDOUT or EWRITE. null, having taken nothing, without the addon.
 */
export function ingestSocket(
  socketFd: number,
  fileFd: number,
  head: Buffer,
  total: number,
  options: { algorithm: 'sha256' | 'sha512'; idleTimeoutMs: number; onProgress: (bytes: number) => void },
): Promise<string> | null {
  if (!addon) return null;
  try {
    const done = addon.ingest(socketFd, fileFd, head, total, options.algorithm, options.idleTimeoutMs, options.onProgress);
    ingests += 1;
    return done;
  } catch (err) {
    closeSync(socketFd);
    throw err;
  }
}

/** A duplicate of `fd` (close-on-exec) the caller owns; null without the addon. */
export function dupFd(fd: number): number | null {
  return addon ? addon.dup(fd) : null;
}
