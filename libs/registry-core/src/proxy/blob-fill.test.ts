import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FileBlobStore } from '@wharf/blobstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBlob } from '@wharf/test-kit';
import { TestCa } from '../../../../test/support/tls';
import { DeliveryServer, fetchPath } from '../../../blobstore/test/delivery';
import { BlobFill, BlobFills } from './blob-fill';

const MiB = 1024 * 1024;
let dir: string;
let store: FileBlobStore;
let ca: TestCa;
let server: DeliveryServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-fill-'));
  store = new FileBlobStore({ root: dir });
  await store.init();
  ca = TestCa.create();
  const cert = ca.issue(['127.0.0.1']);
  // Over TLS the bytes are copied in JavaScript, waiting for 'drain' whenever the client is behind.
  server = await DeliveryServer.start('https', { cert: cert.cert, key: cert.key, ca: ca.cert });
});

afterAll(async () => {
  await server?.close();
  ca?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Feeds `bytes` into a source 1 MiB at a time, as an upstream would. */
function trickle(bytes: Buffer): PassThrough {
  const source = new PassThrough();
  void (async () => {
    for (let i = 0; i < bytes.length; i += MiB) {
      if (!source.write(bytes.subarray(i, i + MiB))) await new Promise((r) => source.once('drain', r));
      await new Promise((r) => setImmediate(r));
    }
    source.end();
  })();
  return source;
}

describe('clients following a fill', () => {
  it('a slow client over TLS gets every byte, and no process warning is raised however often it waits for drain (MaxListenersExceededWarning)', async () => {
    const { bytes, digest } = randomBlob(24 * MiB);
    const fill = new BlobFill(store, digest, bytes.length, trickle(bytes));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      // The client reads a little at a time: the sender waits for 'drain' on the response again and again.
      const path = server.route(async () => (await fill.open())!);
      const got = await fetchPath(server, path, { delayPerChunkMs: 1 });
      expect(got.complete && got.body.equals(bytes)).toBe(true);
      expect(await server.outcomes.get(path)).toBe('ok');
      await fill.done;
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('concurrent requests for one digest share one fetch, and a request after it completed reads the stored blob', async () => {
    const fills = new BlobFills();
    const { bytes, digest } = randomBlob(3 * MiB);
    let fetches = 0;
    const fetch = async () => {
      fetches += 1;
      return { size: bytes.length, body: trickle(bytes) };
    };
    const [a, b] = await Promise.all([fills.begin(digest, store, fetch), fills.begin(digest, store, fetch)]);
    expect(a).toBe(b);
    expect(fetches).toBe(1);
    const [first, second] = await Promise.all([fetchPath(server, server.route(async () => (await a!.open())!)), fetchPath(server, server.route(async () => (await b!.open())!))]);
    expect(first.body.equals(bytes) && second.body.equals(bytes)).toBe(true);
    await a!.done;
    const late = await fetchPath(server, server.route(async () => (await a!.open())!));
    expect(late.complete && late.body.equals(bytes)).toBe(true);
  });

  it('a fill whose upstream sends other bytes: followers are cut off, open() afterwards rejects with DIGEST_INVALID', async () => {
    const { bytes } = randomBlob(2 * MiB);
    const claimed = randomBlob(16).digest;
    const fill = new BlobFill(store, claimed, bytes.length, trickle(bytes));
    const got = await fetchPath(server, server.route(async () => (await fill.open())!));
    await expect(fill.done).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    expect(got.complete).toBe(false);
    await expect(fill.open()).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
  });
});
