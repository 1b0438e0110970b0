import type { FileHandle } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { READ_CHUNK } from './fs-util';
import { StorageError } from '../storage-error';
import { toStorageError } from './fs-errors';
import { type Growth, readableStop } from './growth';

const CHUNK = 256 * 1024;
const BUFFERS = 4;

async function readAt(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<number> {
  try {
    return (await handle.read(buffer, 0, length, position)).bytesRead;
  } catch (err) {
    throw toStorageError(err, 'read');
  }
}

/**
 * Copies bytes [start, end] of a file to `destination` and ends it, through a few reused buffers: a buffer is
 * read into again only once the destination has taken it (write callback), and reading waits for 'drain'. A
 * fresh buffer per chunk (as fs read streams do) makes a busy server spend its time collecting garbage. With a
 * `growth` (a file still being written) it follows the file as the write allows. The caller owns the handle.
 */
export async function copyRange(handle: FileHandle, start: number, end: number, destination: Writable, growth?: Growth): Promise<void> {
  const pool = Array.from({ length: BUFFERS }, () => Buffer.allocUnsafe(CHUNK));
  const pending: (Promise<void> | undefined)[] = new Array(BUFFERS);
  let position = start;
  let turn = 0;
  for (;;) {
    if (growth?.error) throw growth.error;
    if (destination.destroyed) throw new Error('the client went away');
    const stop = readableStop(end, growth);
    if (position >= stop) {
      if (position > end && (!growth || growth.complete)) break;
      await growth!.next(); // a stored file's stop is past its end: only a growing one waits here
      continue;
    }
    const slot = turn % BUFFERS;
    await pending[slot];
    const buffer = pool[slot]!;
    const read = await readAt(handle, buffer, Math.min(CHUNK, stop - position), position);
    if (read === 0) {
      if (!growth) throw new StorageError(`blob file ended at ${position}, before ${end + 1}`);
      await growth.next();
      continue;
    }
    position += read;
    const chunk = read === CHUNK ? buffer : buffer.subarray(0, read);
    pending[slot] = new Promise((resolve, reject) => destination.write(chunk, (err) => (err ? reject(err) : resolve())));
    pending[slot].catch(() => undefined);
    if (destination.writableNeedDrain) await drained(destination);
    turn += 1;
  }
  await Promise.all(pending);
  await new Promise<void>((resolve, reject) => destination.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Resolves at 'drain', rejects at 'close' (the client went away); leaves no listener behind either way. */
function drained(destination: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      destination.off('drain', onDrain);
      destination.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(new Error('the client went away'));
    destination.on('drain', onDrain);
    destination.on('close', onClose);
  });
}

/**
 * Bytes [start, end] of a file as a stream, following the file while it grows when given a `growth`. Owns the
 * handle: closes it when it ends or is destroyed.
 */
export class FileRangeStream extends Readable {
  private position: number;
  private pumping = false;

  constructor(
    private readonly handle: FileHandle,
    start: number,
    private readonly end: number,
    private readonly growth?: Growth,
  ) {
    super({ highWaterMark: READ_CHUNK });
    this.position = start;
  }

  override _read(): void {
    if (!this.pumping) void this.pump();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.handle.close().then(
      () => callback(err),
      () => callback(err),
    );
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        if (this.destroyed) return;
        if (this.growth?.error) {
          this.destroy(this.growth.error);
          return;
        }
        const stop = readableStop(this.end, this.growth);
        if (this.position >= stop) {
          if (this.position > this.end && (!this.growth || this.growth.complete)) {
            this.push(null);
            return;
          }
          await this.growth!.next();
          continue;
        }
        const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, stop - this.position));
        const n = await readAt(this.handle, buffer, buffer.length, this.position);
        if (n === 0) {
          if (!this.growth) throw new StorageError(`blob file ended at ${this.position}, before ${this.end + 1}`);
          await this.growth.next();
          continue;
        }
        this.position += n;
        if (!this.push(buffer.subarray(0, n))) return;
      }
    } catch (err) {
      this.destroy(err as Error);
    } finally {
      this.pumping = false;
    }
  }
}
