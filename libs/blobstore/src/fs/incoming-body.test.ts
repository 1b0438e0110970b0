import { randomBytes } from 'node:crypto';
import { write } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { type IncomingBody, nativeIoAvailable, zeroCopyTransfers } from '@wharf/native-io';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { digestHex, sha256 } from '@wharf/test-kit';
import { waitFor } from '../../../../test/support/wait';
import { DeliveryServer, fetchPath } from '../../test/delivery';
import type { WriteInProgress } from '../blob-store';
import { FileBlobStore } from './file-blob-store';
import { StorageError } from '../storage-error';

const MiB = 1024 * 1024;
const writeAt = promisify(write);

interface FakeBody extends IncomingBody {
  readonly streamed: boolean;
  readonly received: boolean;
}

/**
 * An IncomingBody that receives itself into the store's file as the native upstream client does (here in
 * JavaScript, a piece every `paceMs`), or declines, or fails as told.
 */
function incoming(data: Buffer, options: { length?: number | null; decline?: boolean; failWith?: string; paceMs?: number; hex?: string } = {}): FakeBody {
  const state = { streamed: false, received: false };
  return {
    length: options.length === undefined ? data.length : options.length,
    get streamed() {
      return state.streamed;
    },
    get received() {
      return state.received;
    },
    stream: () => {
      state.streamed = true;
      return Readable.from([data]);
    },
    receive: async (fd, { maxBytes, onProgress }) => {
      if (options.decline) return null;
      state.received = true;
      if (options.failWith) throw Object.assign(new Error(`failed: ${options.failWith}`), { code: options.failWith });
      if (maxBytes !== null && data.length > maxBytes) throw Object.assign(new Error('too big'), { code: 'ETOOBIG' });
      for (let at = 0; at < data.length; at += MiB) {
        const piece = data.subarray(at, at + MiB);
        await writeAt(fd, piece, 0, piece.length, at);
        onProgress(at + piece.length);
        if (options.paceMs) await new Promise((r) => setTimeout(r, options.paceMs));
      }
      return { bytes: data.length, hex: options.hex ?? digestHex(sha256(data)) };
    },
  };
}

async function newStore(): Promise<{ root: string; store: FileBlobStore }> {
  const root = await mkdtemp(join(tmpdir(), 'wharf-incoming-'));
  const store = new FileBlobStore({ root });
  await store.init();
  return { root, store };
}

describe('FileBlobStore.write(IncomingBody): a body that receives itself', () => {
  let root: string;
  let store: FileBlobStore;

  beforeEach(async () => {
    ({ root, store } = await newStore());
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is received, not streamed, and stored once its digest matched', async () => {
    const data = randomBytes(5 * MiB + 3);
    const body = incoming(data);
    const progress: number[] = [];
    const info = await store.write(body, { digest: sha256(data), size: data.length }, { onProgress: (b) => progress.push(b) });
    expect(info).toEqual({ digest: sha256(data), size: data.length });
    expect([body.received, body.streamed]).toEqual([true, false]);
    expect(progress.at(-1)).toBe(data.length);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('is streamed when it declines to receive itself', async () => {
    const data = randomBytes(MiB);
    const body = incoming(data, { decline: true });
    expect((await store.write(body, { digest: sha256(data) })).size).toBe(data.length);
    expect(body.streamed).toBe(true);
  });

  it('an announced length other than the expected size is SIZE_INVALID before anything is received', async () => {
    const data = randomBytes(1000);
    const body = incoming(data);
    await expect(store.write(body, { digest: sha256(data), size: 999 })).rejects.toMatchObject({ code: 'SIZE_INVALID' });
    expect(body.received).toBe(false);
  });

  it('more bytes than expected (a body of unknown length) is SIZE_INVALID; a file that cannot be written is a StorageError', async () => {
    const data = randomBytes(2000);
    await expect(store.write(incoming(data, { length: null }), { size: 1000 })).rejects.toMatchObject({ code: 'SIZE_INVALID' });
    await expect(store.write(incoming(data, { failWith: 'EWRITE' }))).rejects.toBeInstanceOf(StorageError);
    await expect(store.write(incoming(data, { failWith: 'ECONNRESET' }))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('a body whose digest does not match is DIGEST_INVALID and nothing is stored', async () => {
    const data = randomBytes(3000);
    await expect(store.write(incoming(data, { hex: digestHex(sha256(Buffer.from('other'))) }), { digest: sha256(data) })).rejects.toMatchObject({
      code: 'DIGEST_INVALID',
    });
    expect(await store.stat(sha256(data))).toBeNull();
  });
});

describe.runIf(nativeIoAvailable())('delivery over plain HTTP uses sendfile(2), through the gate for a write under way', () => {
  let root: string;
  let store: FileBlobStore;
  let server: DeliveryServer;

  beforeAll(async () => {
    ({ root, store } = await newStore());
    server = await DeliveryServer.start('http');
  });

  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('a stored blob and a range of it go out with sendfile, on one keep-alive connection', async () => {
    const data = randomBytes(3 * MiB);
    const digest = sha256(data);
    await store.write(Readable.from([data]), { digest });
    const before = zeroCopyTransfers();
    const whole = await fetchPath(server, server.route(async () => (await store.open(digest))!));
    const part = await fetchPath(server, server.route(async () => (await store.open(digest))!.slice({ start: 7, end: MiB })));
    expect(whole.body.equals(data) && part.body.equals(data.subarray(7, MiB + 1))).toBe(true);
    expect(part.socket).toBe(whole.socket);
    // Counted when a send settles on the server, which may be just after the client has every byte.
    await waitFor('both sends to settle', () => zeroCopyTransfers() - before === 2, { timeoutMs: 5_000, intervalMs: 10 });
  });

  it('sends every byte with sendfile while the body arrives, the last one after the digest matched', async () => {
    const data = randomBytes(8 * MiB);
    let started!: (write: WriteInProgress) => void;
    const following = new Promise<WriteInProgress>((resolve) => (started = resolve));
    const before = zeroCopyTransfers();
    const done = store.write(incoming(data, { paceMs: 20 }), { digest: sha256(data), size: data.length }, { onStarted: started });
    const write = await following;
    const got = await fetchPath(server, server.route(async () => (await write.follow())!));
    await done;
    expect(got.complete && got.body.equals(data)).toBe(true);
    await waitFor('the send to settle', () => zeroCopyTransfers() - before === 1, { timeoutMs: 5_000, intervalMs: 10 });
  });

  it('a corrupt body: the sendfile follower is cut off before the last byte', async () => {
    const data = randomBytes(4 * MiB);
    let started!: (write: WriteInProgress) => void;
    const following = new Promise<WriteInProgress>((resolve) => (started = resolve));
    const done = store.write(incoming(data, { paceMs: 20, hex: digestHex(sha256(Buffer.from('x'))) }), { digest: sha256(data), size: data.length }, { onStarted: started });
    done.catch(() => undefined);
    const write = await following;
    const path = server.route(async () => (await write.follow())!);
    const got = await fetchPath(server, path);
    await expect(done).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    expect(got.status).toBe(200);
    expect(got.complete).toBe(false);
    expect(got.body.length).toBe(data.length - 1);
    expect(await server.outcomes.get(path)).toMatchObject({ code: 'DIGEST_INVALID' });
  });
});
