import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { digestOf } from '@wharf/oci';
import { type TestBucket, createTestBucket } from '../../../../test/services/buckets';
import { collect, streamOf } from '@wharf/test-kit';
import { describeBlobStoreContract, expectRegistryError } from '../../test/blob-store.contract';
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
