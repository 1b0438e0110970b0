import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { StorageError, toStorageError } from './fs-util';

const CHUNK = 256 * 1024;
const BUFFERS = 4;

/**
 * Copies bytes [start, end] of a file to a writable with a few reused buffers: a buffer is read into
 * again only once the destination has taken it (write callback), and reading waits for `drain`.
 * A fresh buffer per chunk (as fs read streams do) makes a busy server spend its time collecting garbage.
 */
export async function sendFile(handle: FileHandle, start: number, end: number, destination: Writable): Promise<void> {
  const pool = Array.from({ length: BUFFERS }, () => Buffer.allocUnsafe(CHUNK));
  const pending: (Promise<void> | undefined)[] = new Array(BUFFERS);
  let position = start;
  let turn = 0;
  try {
    while (position <= end) {
      const slot = turn % BUFFERS;
      await pending[slot];
      if (destination.destroyed) throw new Error('the client went away');
      const buffer = pool[slot]!;
      let read: number;
      try {
        read = (await handle.read(buffer, 0, Math.min(CHUNK, end - position + 1), position)).bytesRead;
      } catch (err) {
        throw toStorageError(err, 'read');
      }
      if (read === 0) throw new StorageError(`blob file ended at ${position}, before ${end + 1}`);
      position += read;
      const chunk = read === CHUNK ? buffer : buffer.subarray(0, read);
      pending[slot] = new Promise((resolve, reject) => destination.write(chunk, (err) => (err ? reject(err) : resolve())));
      pending[slot].catch(() => undefined);
      if (destination.writableNeedDrain) await drained(destination);
      turn += 1;
    }
    await Promise.all(pending);
    await new Promise<void>((resolve, reject) => {
      destination.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function drained(destination: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      destination.off('drain', done);
      destination.off('close', closed);
      resolve();
    };
    const closed = () => {
      destination.off('drain', done);
      reject(new Error('the client went away'));
    };
    destination.once('drain', done);
    destination.once('close', closed);
  });
}
