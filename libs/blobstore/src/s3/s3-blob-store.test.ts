import { randomBytes } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { TestCa } from '../../../../test/support/tls';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { nativeIoAvailable } from '@wharf/native-io';
import { digestOf } from '@wharf/oci';
import { type TestBucket, createTestBucket } from '../../../../test/services/buckets';
import { collect, streamOf } from '@wharf/test-kit';
import { describeBlobStoreContract, expectRegistryError } from '../../test/blob-store.contract';
import { DeliveryServer, fetchPath } from '../../test/delivery';
import { StorageError } from '../storage-error';
import { S3BlobStore } from './s3-blob-store';

const MiB = 1024 * 1024;

// Every call is a round trip to a real server (a busy one, on a 2-core machine): the contract's writes of
// 40 blobs take seconds here.
vi.setConfig({ testTimeout: 60_000 });

/** A store on a bucket of its own on the run's Ceph RGW; a small part size so multipart paths run. */
async function openStore(options: { prefix?: string } = {}): Promise<{ store: S3BlobStore; bucket: TestBucket; cleanup(): Promise<void> }> {
  const bucket = await createTestBucket({ create: false });
  const store = new S3BlobStore({ ...bucket.store, partSize: 5 * MiB, ...options });
  await store.init();
  return {
    store,
    bucket,
    cleanup: async () => {
      store.destroy();
      await bucket.remove();
    },
  };
}

// Under a key prefix: every key the store makes is checked with one (the layout without is below).
// No local file to follow: a write's readers wait for it to complete (`followsWrites: false`).
describeBlobStoreContract('S3BlobStore on Ceph RGW', () => openStore({ prefix: 'team/wharf' }), { followsWrites: false });

describe('S3BlobStore (S3 specifics)', () => {
  let opened: Awaited<ReturnType<typeof openStore>>;
  beforeEach(async () => {
    opened = await openStore();
  });
  afterEach(async () => {
    await opened.cleanup();
  });

  it('creates its bucket when missing and keeps blobs at blobs/<alg>/<2 hex>/<hex>', async () => {
    const data = randomBytes(1000);
    const digest = digestOf(data);
    await opened.store.write(streamOf(data), { digest });
    const hex = digest.slice('sha256:'.length);
    expect(await opened.bucket.keys()).toEqual([`blobs/sha256/${hex.slice(0, 2)}/${hex}`]);
  });

  it('uploads a large blob in parts and leaves no multipart upload or temporary object behind', async () => {
    const data = randomBytes(12 * MiB + 5);
    const digest = digestOf(data);
    expect(await opened.store.write(streamOf(data, 256 * 1024), { digest, size: data.length })).toEqual({ digest, size: data.length });
    expect(await opened.bucket.openUploads()).toBe(0);
    expect((await opened.bucket.keys()).length).toBe(1);
    // a lie of the same size: parts go up, the upload is aborted, nothing stays
    await expectRegistryError(opened.store.write(streamOf(randomBytes(12 * MiB + 5)), { digest: digestOf(randomBytes(4)) }), 'DIGEST_INVALID');
    expect(await opened.bucket.openUploads()).toBe(0);
    expect((await opened.bucket.keys()).length).toBe(1);
  });

  it('finishes on one replica an upload whose chunks another replica received', async () => {
    const other = new S3BlobStore({ ...opened.bucket.store, partSize: 5 * MiB });
    try {
      const data = randomBytes(11 * MiB + 3);
      const digest = digestOf(data);
      const id = await opened.store.uploads.create();
      await opened.store.uploads.append(id, streamOf(data.subarray(0, 6 * MiB)), 0);
      expect(await other.uploads.size(id)).toBe(6 * MiB);
      await other.uploads.append(id, streamOf(data.subarray(6 * MiB, 7 * MiB)), 6 * MiB);
      await opened.store.uploads.append(id, streamOf(data.subarray(7 * MiB)), 7 * MiB);
      // the first store did not see the middle chunk: it hashes the bytes again from the bucket
      await expectRegistryError(opened.store.uploads.commit(id, digestOf(randomBytes(3))), 'DIGEST_INVALID');
      expect(await other.uploads.commit(id, digest)).toEqual({ digest, size: data.length });
      expect((await collect((await opened.store.open(digest))!.stream())).equals(data)).toBe(true);
      expect(await opened.store.uploads.size(id)).toBeNull();
      expect((await opened.bucket.keys()).filter((k) => k.includes('/uploads/'))).toEqual([]);
    } finally {
      other.destroy();
    }
  });

  it('hands out presigned URLs for whole blobs when set to redirect, and still streams ranges and manifests', async () => {
    const redirecting = new S3BlobStore({ ...opened.bucket.store, redirectSeconds: 60 });
    try {
      const data = randomBytes(300_000);
      const digest = digestOf(data);
      await opened.store.write(streamOf(data), { digest });
      const content = (await redirecting.open(digest))!;
      const url = await content.location!();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*X-Amz-Signature=/);
      const fetched = await fetch(url!);
      expect(fetched.status).toBe(200);
      expect(Buffer.from(await fetched.arrayBuffer()).equals(data)).toBe(true);
      expect((await collect(content.stream())).equals(data)).toBe(true);
      const part = (await redirecting.open(digest))!.slice({ start: 10, end: 99 });
      expect(part.location).toBeUndefined();
      expect((await collect(part.stream())).equals(data.subarray(10, 100))).toBe(true);
      // the store that does not redirect offers no URL
      expect((await opened.store.open(digest))!.location).toBeUndefined();
    } finally {
      redirecting.destroy();
    }
  });

  it('lets one of two appends at the same offset (two replicas) win; the other gets RANGE_INVALID', async () => {
    const other = new S3BlobStore({ ...opened.bucket.store });
    try {
      const id = await opened.store.uploads.create();
      const [a, b] = [randomBytes(100_000), randomBytes(100_000)];
      const results = await Promise.allSettled([opened.store.uploads.append(id, streamOf(a), 0), other.uploads.append(id, streamOf(b), 0)]);
      expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((lost.reason as { code?: string }).code).toBe('RANGE_INVALID');
      const winner = results[0]!.status === 'fulfilled' ? a : b;
      expect(await opened.store.uploads.size(id)).toBe(100_000);
      expect(await other.uploads.commit(id, digestOf(winner))).toEqual({ digest: digestOf(winner), size: 100_000 });
    } finally {
      other.destroy();
    }
  });
});

/**
 * A TCP pass-through in front of the S3 endpoint that, once armed, cuts every new connection after `cutAfter`
 * bytes of response: an object store failing in the middle of a body.
 */
class CuttingPassThrough {
  /** Response bytes a new connection carries before it is cut; null: not cut. */
  cutAfter: number | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(target: URL) {
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      const limit = this.cutAfter;
      let sent = 0;
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined).on('close', () => (this.sockets.delete(s), client.destroy(), upstream.destroy()));
      }
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        if (limit !== null && sent + chunk.length > limit) {
          client.write(chunk.subarray(0, limit - sent), () => client.destroy());
          upstream.destroy();
          return;
        }
        sent += chunk.length;
        client.write(chunk);
      });
    });
  }

  static async start(target: string): Promise<CuttingPassThrough> {
    const self = new CuttingPassThrough(new URL(target));
    await new Promise<void>((resolve) => self.server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

// Downloads go through the native reader when the addon is here (relayed to the response's socket off the
// JavaScript thread), else through the SDK's stream: both must keep the delivery promises.
describe.each([
  { reads: 'native', nativeReads: true },
  { reads: 'SDK', nativeReads: false },
])('S3BlobStore delivery ($reads reads)', ({ reads, nativeReads }) => {
  let bucket: TestBucket;
  let store: S3BlobStore;
  let cutting: S3BlobStore;
  let passThrough: CuttingPassThrough;
  let server: DeliveryServer;
  const data = randomBytes(24 * MiB + 13);
  const digest = digestOf(data);

  beforeAll(async () => {
    bucket = await createTestBucket({ create: false });
    store = new S3BlobStore({ ...bucket.store, nativeReads });
    await store.init();
    await store.write(streamOf(data, MiB), { digest, size: data.length });
    passThrough = await CuttingPassThrough.start(bucket.store.endpoint);
    cutting = new S3BlobStore({ ...bucket.store, endpoint: passThrough.endpoint, nativeReads });
    server = await DeliveryServer.start('http');
  });

  afterAll(async () => {
    await server?.close();
    cutting?.destroy();
    store?.destroy();
    await passThrough?.close();
    await bucket?.remove();
  });

  it.runIf(reads === 'SDK' || nativeIoAvailable())('delivers whole blobs and ranges byte for byte, concurrently, on kept-alive store connections', async () => {
    const ranges = [undefined, { start: 0, end: 0 }, { start: 5 * MiB + 1, end: 17 * MiB }, { start: data.length - 10, end: data.length - 1 }, undefined];
    const got = await Promise.all(
      ranges.map((range) =>
        fetchPath(server, server.route(async () => (range ? (await store.open(digest))!.slice(range) : (await store.open(digest))!)), { ownConnection: true }),
      ),
    );
    ranges.forEach((range, i) => {
      expect(got[i]!.status).toBe(range ? 206 : 200);
      expect(got[i]!.complete && got[i]!.body.equals(range ? data.subarray(range.start, range.end + 1) : data)).toBe(true);
    });
    expect((await collect((await store.open(digest))!.slice({ start: 3, end: 2 * MiB }).stream())).equals(data.subarray(3, 2 * MiB + 1))).toBe(true);
  });

  it.runIf(reads === 'SDK' || nativeIoAvailable())('an S3 connection cut in the middle of the body: the client gets a cut connection, never a short 200, and the delivery fails with a StorageError', async () => {
    passThrough.cutAfter = 5 * MiB;
    try {
      for (const range of [undefined, { start: MiB, end: 20 * MiB }]) {
        const path = server.route(async () => (range ? (await cutting.open(digest))!.slice(range) : (await cutting.open(digest))!));
        const got = await fetchPath(server, path, { ownConnection: true });
        expect(got.status).toBe(range ? 206 : 200);
        expect(got.complete).toBe(false);
        expect(got.body.length).toBeLessThan(range ? range.end - range.start + 1 : data.length);
        const outcome = await server.outcomes.get(path);
        expect(outcome).toBeInstanceOf(StorageError);
        expect((outcome as Error).message).toMatch(/^S3 GetObject failed/);
      }
    } finally {
      passThrough.cutAfter = null;
    }
    // the store still serves afterwards
    const again = await fetchPath(server, server.route(async () => (await cutting.open(digest))!), { ownConnection: true });
    expect(again.complete && again.body.equals(data)).toBe(true);
  });

  it('a blob deleted meanwhile: open() says absent, and a slice opened before fails with a StorageError', async () => {
    const small = randomBytes(1000);
    const smallDigest = digestOf(small);
    await store.write(streamOf(small), { digest: smallDigest });
    const part = (await store.open(smallDigest))!.slice({ start: 1, end: 10 });
    await store.delete(smallDigest);
    expect(await store.open(smallDigest)).toBeNull();
    await expect(collect(part.stream())).rejects.toBeInstanceOf(StorageError);
  });
});

describe.runIf(nativeIoAvailable())('S3BlobStore native reads from an HTTPS endpoint', () => {
  it('reads through the addon\'s TLS client, trusting NODE_EXTRA_CA_CERTS, and refuses an endpoint it does not trust', async () => {
    const bucket = await createTestBucket({ create: false });
    const plain = new S3BlobStore({ ...bucket.store });
    const ca = TestCa.create();
    const { cert, key } = ca.issue(['127.0.0.1']);
    // TLS in front of the RGW (a TLS-terminating load balancer, as in front of MinIO or RGW in production).
    const target = new URL(bucket.store.endpoint);
    const tls = createTlsServer({ cert, key }, (client) => {
      const upstream = connect(Number(target.port), target.hostname);
      client.pipe(upstream).pipe(client);
      for (const s of [client, upstream]) s.on('error', () => (client.destroy(), upstream.destroy()));
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const endpoint = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    const secure = new S3BlobStore({ ...bucket.store, endpoint });
    try {
      await plain.init();
      const data = randomBytes(3 * MiB + 1);
      const digest = digestOf(data);
      await plain.write(streamOf(data), { digest });
      // The test CA is not trusted yet: the read fails on the certificate, as a StorageError.
      await expect(secure.open(digest)).rejects.toBeInstanceOf(StorageError);
      process.env.NODE_EXTRA_CA_CERTS = ca.certFile;
      expect((await collect((await secure.open(digest))!.stream())).equals(data)).toBe(true);
      const server = await DeliveryServer.start('http');
      try {
        const got = await fetchPath(server, server.route(async () => (await secure.open(digest))!.slice({ start: 7, end: 2 * MiB })));
        expect(got.complete && got.body.equals(data.subarray(7, 2 * MiB + 1))).toBe(true);
      } finally {
        await server.close();
      }
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = saved;
      secure.destroy();
      plain.destroy();
      await new Promise((resolve) => tls.close(resolve));
      ca.dispose();
      await bucket.remove();
    }
  });
});
