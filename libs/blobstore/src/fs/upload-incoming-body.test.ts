import { randomBytes } from 'node:crypto';
import { write } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { IncomingBody, ReceiveOptions } from '@wharf/native-io';
import { sha256 } from '@wharf/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from './file-blob-store';

const MiB = 1024 * 1024;
const writeAt = promisify(write);

/**
 * An IncomingBody that receives itself as a request body taken off the server's parser does (here in JavaScript):
 * at `options.position`, adding its bytes to `options.hasher`; or declines, or fails after half of its bytes.
 */
function body(data: Buffer, behaviour: 'receive' | 'decline' | 'fail' = 'receive'): IncomingBody & { asked: ReceiveOptions[] } {
  const asked: ReceiveOptions[] = [];
  return {
    asked,
    length: data.length,
    stream: () => Readable.from([data]),
    receive: async (fd, options) => {
      asked.push(options);
      if (behaviour === 'decline') return null;
      const part = behaviour === 'fail' ? data.subarray(0, data.length >> 1) : data;
      await writeAt(fd, part, 0, part.length, options.position ?? 0);
      options.hasher?.update(part);
      if (behaviour === 'fail') throw Object.assign(new Error('the client went away'), { code: 'ECONNRESET' });
      return { bytes: data.length, hex: options.hasher?.hex() ?? '' };
    },
  };
}

describe('FileUploadStore.append(IncomingBody): bodies that receive themselves into the upload', () => {
  let root: string;
  let store: FileBlobStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'wharf-upload-body-'));
    store = new FileBlobStore({ root });
    await store.init();
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('asks the body to write at the upload size and continue the running hash, mixed with streamed appends', async () => {
    const data = randomBytes(4 * MiB + 5);
    const cuts = [0, MiB, 3 * MiB, data.length];
    const id = await store.uploads.create();
    const first = body(data.subarray(cuts[0], cuts[1]));
    expect(await store.uploads.append(id, first, 0)).toBe(cuts[1]);
    expect(await store.uploads.append(id, Readable.from([data.subarray(cuts[1], cuts[2])]), cuts[1]!)).toBe(cuts[2]);
    const third = body(data.subarray(cuts[2], cuts[3]));
    expect(await store.uploads.append(id, third, cuts[2]!)).toBe(data.length);
    expect(first.asked[0]).toMatchObject({ algorithm: 'sha256', position: 0, maxBytes: null });
    expect(third.asked[0]).toMatchObject({ position: cuts[2] });
    // With the addon the running hash is the addon's, handed to the body; without it the body is asked without one.
    expect(third.asked[0]!.hasher === undefined).toBe(first.asked[0]!.hasher === undefined);
    expect(await store.uploads.commit(id, sha256(data))).toEqual({ digest: sha256(data), size: data.length });
    expect((await store.stat(sha256(data)))?.size).toBe(data.length);
  });

  it('streams a body that declines', async () => {
    const data = randomBytes(2 * MiB);
    const id = await store.uploads.create();
    const declining = body(data, 'decline');
    expect(await store.uploads.append(id, declining, 0)).toBe(data.length);
    expect(declining.asked).toHaveLength(1);
    expect((await store.uploads.commit(id, sha256(data))).size).toBe(data.length);
  });

  it('keeps what arrived before a body failed, and completes from there (reading the file again for the digest)', async () => {
    const data = randomBytes(3 * MiB);
    const id = await store.uploads.create();
    await expect(store.uploads.append(id, body(data, 'fail'), 0)).rejects.toMatchObject({ code: 'ECONNRESET' });
    const size = (await store.uploads.size(id))!;
    expect(size).toBe(data.length >> 1);
    expect(await store.uploads.append(id, body(data.subarray(size)), size)).toBe(data.length);
    expect((await store.uploads.commit(id, sha256(data))).digest).toBe(sha256(data));
  });

  it('a digest mismatch refuses the commit and keeps the session', async () => {
    const data = randomBytes(MiB);
    const id = await store.uploads.create();
    await store.uploads.append(id, body(data), 0);
    await expect(store.uploads.commit(id, sha256(randomBytes(8)))).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    expect(await store.uploads.size(id)).toBe(data.length);
    expect(await store.open(sha256(data))).toBeNull();
  });
});
