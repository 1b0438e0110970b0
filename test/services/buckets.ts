/**
 * An S3 bucket of its own for each test, on the run's one Ceph RGW (global-setup.ts); removed with
 * everything in it at the end.
 */
import { randomUUID } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { withoutNodeVersionNotice } from '@wharf/blobstore';
import type { S3Service } from './global-setup';

/** The run's S3 endpoint and credentials; fails clearly when the run has none. */
export function s3Service(): S3Service {
  const s3 = inject('s3');
  if (!s3) throw new Error('this run has no S3 server (WHARF_TEST_SERVICES=none, or the project lacks test/services/global-setup.ts)');
  return s3;
}

/** A client of the run's RGW, with the settings S3-compatible servers need. */
export function testS3Client(): S3Client {
  const s3 = s3Service();
  withoutNodeVersionNotice();
  return new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A fresh bucket name (S3 rules: lowercase letters, digits, hyphens). */
export function bucketName(): string {
  return `test-${randomUUID()}`;
}

export interface TestBucket {
  name: string;
  /** Options for S3BlobStore / the REST API's bucketConfiguration, for this bucket. */
  store: { bucket: string; region: string; endpoint: string; forcePathStyle: true; accessKeyId: string; secretAccessKey: string };
  /** The body of POST /service/rest/v1/blobstores/s3 for a store `name` on this bucket, under `prefix`. */
  restBody(name: string, prefix: string): Record<string, unknown>;
  /** Every key in the bucket (unfinished multipart uploads not included). */
  keys(): Promise<string[]>;
  /** Multipart uploads started and neither completed nor aborted. */
  openUploads(): Promise<number>;
  remove(): Promise<void>;
}

/** A new, empty bucket; `create: false` only names one (for stores that must create it themselves). */
export async function createTestBucket({ create = true } = {}): Promise<TestBucket> {
  const s3 = s3Service();
  const client = testS3Client();
  const name = bucketName();
  if (create) await client.send(new CreateBucketCommand({ Bucket: name }));
  const keys = async (): Promise<string[]> => {
    const all: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: name, ContinuationToken: token }));
      all.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return all;
  };
  const uploads = async () => (await client.send(new ListMultipartUploadsCommand({ Bucket: name }))).Uploads ?? [];
  const store = { bucket: name, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true as const, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  return {
    name,
    store,
    restBody: (storeName, prefix) => ({
      name: storeName,
      bucketConfiguration: {
        bucket: { name, region: store.region, prefix, expiration: 3 },
        bucketSecurity: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
        advancedBucketConnection: { endpoint: store.endpoint, forcePathStyle: true },
      },
    }),
    keys,
    openUploads: async () => (await uploads()).length,
    async remove() {
      try {
        for (const u of await uploads()) await client.send(new AbortMultipartUploadCommand({ Bucket: name, Key: u.Key!, UploadId: u.UploadId! }));
        const all = await keys();
        for (let i = 0; i < all.length; i += 1000) {
          await client.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: all.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
        }
        await client.send(new DeleteBucketCommand({ Bucket: name }));
      } catch (err) {
        if ((err as { name?: string }).name !== 'NoSuchBucket') throw err;
      } finally {
        client.destroy();
      }
    },
  };
}
