import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { FileBlobStore } from '@wharf/blobstore';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobFill } from './blob-fill';

let dir: string;
let store: FileBlobStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-fill-'));
  store = new FileBlobStore({ root: dir });
  await store.init();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A destination that takes 64 KiB at a time, slowly: the sender waits for 'drain' again and again. */
function slowDestination(): Writable & { received: Buffer[] } {
  const received: Buffer[] = [];
  const destination = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      received.push(Buffer.from(chunk)); // the sender reuses its buffers once a write completes
      setImmediate(callback);
    },
  }) as Writable & { received: Buffer[] };
  destination.received = received;
  return destination;
}

describe('a client following a fill', () => {
  it('leaves no listener behind on its destination however often it waits for drain (MaxListenersExceededWarning)', async () => {
    const bytes = randomBytes(8 * 1024 * 1024);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const source = new PassThrough();
    const fill = new BlobFill(store, digest, bytes.length, source);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const destination = slowDestination();
      const read = await openWhenSpooled(fill, source, bytes);
      await read.sendTo(destination);
      expect(Buffer.concat(destination.received).equals(bytes)).toBe(true);
      expect(destination.listenerCount('close'), 'close listeners left on the destination').toBeLessThanOrEqual(1);
      expect(destination.listenerCount('drain'), 'drain listeners left on the destination').toBe(0);
      await fill.done;
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

/** Starts the source writing in 1 MiB pieces and opens a reader as soon as the spool exists. */
async function openWhenSpooled(fill: BlobFill, source: PassThrough, bytes: Buffer) {
  void (async () => {
    for (let i = 0; i < bytes.length; i += 1024 * 1024) {
      if (!source.write(bytes.subarray(i, i + 1024 * 1024))) await new Promise((r) => source.once('drain', r));
    }
    source.end();
  })();
  const read = await fill.open();
  if (!read) throw new Error('the fill has no spool');
  return read;
}
