import { closeSync } from 'node:fs';
import type { SocketBody } from '../blob-store';
import { type GrowingFile, nativeIo } from './native';

let ingests = 0;

/** Whether a SocketBody can be received off the JavaScript thread here (the addon is built and on). */
export function socketIngestAvailable(): boolean {
  return nativeIo !== null;
}

/** Bodies received by the addon since start (tests). */
export function socketIngests(): number {
  return ingests;
}

export interface SocketIngest {
  /** Resolves with the hex SHA-256 of the whole body once every byte is in the file; rejects with an Error that has a `code`. */
  done: Promise<string>;
  /** Lets sendFileToSocket follow the file while it grows (the last byte only once `expectedHex` matched). */
  growing: GrowingFile;
}

/**
 * Takes the body's connection over and writes the body into `fileFd` from offset 0 on a thread of the
 * addon, hashing it as it arrives: no byte passes through JavaScript. null, having taken nothing, when the
 * addon is missing or the body cannot give its socket (then read `body.stream()`).
 */
export function ingestSocketBody(
  body: SocketBody,
  fileFd: number,
  expectedHex: string,
  onProgress: (bytes: number) => void,
): SocketIngest | null {
  const native = nativeIo;
  if (!native) return null;
  const taken = body.takeSocket((fd) => native.dup(fd));
  if (!taken) return null;
  try {
    const started = native.ingest(taken.fd, fileFd, taken.head, body.length, expectedHex, body.idleTimeoutMs, onProgress);
    ingests += 1;
    return started;
  } catch (err) {
    closeSync(taken.fd);
    throw err;
  }
}
