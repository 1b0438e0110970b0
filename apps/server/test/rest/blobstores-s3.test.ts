import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBucket, createTestBucket } from '../../../../test/services/buckets';
import { imageManifest } from '@wharf/test-kit';
import { freePort } from '../support/ports';
import { Registry } from '../support/registry';
import { createHosted, createHostedRaw, hostedBody, updateHosted } from '../support/rest';
import { type TestWharf, startTestWharf } from '../support/wharf';

const S3 = '/service/rest/v1/blobstores/s3';

let wharf: TestWharf;
let bucket: TestBucket;

/** Nexus's JSON for an S3 blob store on the test bucket (which does not exist yet: Wharf creates it). */
function storeBody(name: string, overrides: { bucket?: Record<string, unknown>; secret?: string | null; redirect?: boolean } = {}): Record<string, unknown> {
  const s = bucket.store;
  return {
    name,
    softQuota: null,
    bucketConfiguration: {
      bucket: { name: s.bucket, region: s.region, prefix: 'wharf', expiration: 3, ...overrides.bucket },
      bucketSecurity: { accessKeyId: s.accessKeyId, ...(overrides.secret === null ? {} : { secretAccessKey: overrides.secret ?? s.secretAccessKey }) },
      advancedBucketConnection: { endpoint: s.endpoint, forcePathStyle: true, ...(overrides.redirect ? { redirect: true } : {}) },
    },
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

beforeAll(async () => {
  wharf = await startTestWharf({ keepData: true });
  bucket = await createTestBucket({ create: false });
});

afterAll(async () => {
  await wharf?.close();
  if (wharf) await rm(wharf.dataDir, { recursive: true, force: true });
  await bucket?.remove();
});

describe('S3 blob stores through /service/rest/v1/blobstores/s3', () => {
  let port: number;

  it('creates a store (and its bucket), and shows it without the secret key', async () => {
    const res = await wharf.http.sendJson('POST', S3, storeBody('s3-store'));
    expect(res.status, res.text()).toBe(201);
    const shown = await wharf.http.get(`${S3}/s3-store`);
    expect(shown.status).toBe(200);
    expect(shown.json()).toEqual({
      name: 's3-store',
      type: 's3',
      softQuota: null,
      bucketConfiguration: {
        bucket: { name: bucket.name, region: 'us-east-1', prefix: 'wharf', expiration: 3 },
        bucketSecurity: { accessKeyId: bucket.store.accessKeyId },
        advancedBucketConnection: { endpoint: bucket.store.endpoint, forcePathStyle: true, redirect: false },
      },
    });
    expect(shown.text()).not.toContain(bucket.store.secretAccessKey);
    // at rest, the secret key is encrypted
    expect((await readFile(join(wharf.dataDir, 'wharf.db'))).includes(bucket.store.secretAccessKey)).toBe(false);
  });

  it('counts the store among the blob stores readiness asks', async () => {
    const ready = await wharf.anonymous.get('/service/rest/v1/status/ready');
    expect(ready.status).toBe(200);
    expect(ready.json<{ details: Record<string, Record<string, unknown>> }>().details['Blob Stores']).toMatchObject({
      default: { availableBytes: expect.any(Number) },
      's3-store': { availableBytes: null },
    });
  });

  it('keeps the images of a repository on that store in the bucket, not in the data directory', async () => {
    port = await freePort();
    await createHosted(wharf.http, 'on-s3', { httpPort: port, blobStoreName: 's3-store' });
    const m = imageManifest();
    const registry = new Registry(wharf.on(port));
    expect((await registry.pushImage('app', 'v1', m)).status).toBe(201);
    const keys = await bucket.keys();
    for (const blob of m.blobs) expect(keys).toContain(`wharf/blobs/sha256/${blob.digest.slice(7, 9)}/${blob.digest.slice(7)}`);
    expect(keys.filter((k) => k.includes('/uploads/')), 'no upload session left').toEqual([]);
    const local = await filesUnder(join(wharf.dataDir, 'blobs', 'blobs'));
    for (const blob of m.blobs) expect(local).not.toContain(blob.digest.slice(7));
    const pulled = await registry.getManifest('app', 'v1');
    expect(pulled.body.equals(m.bytes)).toBe(true);
    for (const blob of m.blobs) expect((await registry.getBlob('app', blob.digest)).body.equals(blob.bytes)).toBe(true);
    const range = await registry.getBlob('app', m.blobs[0]!.digest, { headers: { Range: 'bytes=1-4' } });
    expect(range.status).toBe(206);
    expect(range.body.equals(m.blobs[0]!.bytes.subarray(1, 5))).toBe(true);
  });

  it('changes credentials with PUT; a PUT without the secret key keeps the stored one', async () => {
    const res = await wharf.http.sendJson('PUT', `${S3}/s3-store`, storeBody('s3-store', { secret: null, bucket: { expiration: 7 } }));
    expect(res.status, res.text()).toBe(204);
    expect((await wharf.http.get(`${S3}/s3-store`)).json()).toMatchObject({ bucketConfiguration: { bucket: { expiration: 7 } } });
    const m = imageManifest();
    expect((await new Registry(wharf.on(port)).pushImage('app', 'v2', m)).status).toBe(201);
  });

  it('sends whole-blob downloads to a presigned URL when the store redirects (ranges and HEAD stay here)', async () => {
    const m = imageManifest();
    const registry = new Registry(wharf.on(port));
    expect((await registry.pushImage('app', 'redirected', m)).status).toBe(201);
    const on = await wharf.http.sendJson('PUT', `${S3}/s3-store`, storeBody('s3-store', { secret: null, redirect: true }));
    expect(on.status, on.text()).toBe(204);
    const blob = m.blobs[0]!;
    const res = await registry.getBlob('app', blob.digest);
    expect(res.status).toBe(307);
    const location = res.header('location')!;
    expect(location.startsWith(bucket.store.endpoint)).toBe(true);
    const fetched = await fetch(location);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(blob.bytes)).toBe(true);
    const range = await registry.getBlob('app', blob.digest, { headers: { Range: 'bytes=0-1' } });
    expect(range.status).toBe(206);
    expect(range.body.equals(blob.bytes.subarray(0, 2))).toBe(true);
    expect((await registry.getManifest('app', 'redirected')).body.equals(m.bytes)).toBe(true);
    const off = await wharf.http.sendJson('PUT', `${S3}/s3-store`, storeBody('s3-store', { secret: null }));
    expect(off.status).toBe(204);
    expect((await registry.getBlob('app', blob.digest)).status).toBe(200);
  });

  it('refuses what cannot work, with 400 and the reason', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...storeBody('bad name') }, 'name'],
      [storeBody('bad-bucket', { bucket: { name: 'Not_A_Bucket' } }), 'bucketConfiguration.bucket.name'],
      [storeBody('s3-store'), 'already exists'],
      [storeBody('wrong-secret', { secret: 'not-the-secret' }), 'cannot use bucket'],
      [storeBody('no-secret', { secret: null }), 'secretAccessKey'],
    ];
    for (const [body, mention] of cases) {
      const res = await wharf.http.sendJson('POST', S3, body);
      expect(res.status, `${mention}: ${res.text()}`).toBe(400);
      expect(res.text()).toContain(mention);
    }
    const unreachable = storeBody('unreachable');
    (unreachable.bucketConfiguration as { advancedBucketConnection: { endpoint: string } }).advancedBucketConnection.endpoint = `http://127.0.0.1:${await freePort()}`;
    const res = await wharf.http.sendJson('POST', S3, unreachable);
    expect(res.status, res.text()).toBe(400);
    expect(res.text()).toContain('cannot use bucket');
    const moved = await wharf.http.sendJson('PUT', `${S3}/s3-store`, storeBody('s3-store', { bucket: { prefix: 'elsewhere' } }));
    expect(moved.status, moved.text()).toBe(400);
    expect((await wharf.http.get(`${S3}/unreachable`)).status).toBe(404);
    expect((await wharf.http.get(`${S3}/default`)).status).toBe(404);
  });

  it('lets repositories name only stores that exist, and never move to another one', async () => {
    const unknown = await createHostedRaw(wharf.http, hostedBody('nowhere', { blobStoreName: 'no-such-store' }));
    expect(unknown.status).toBe(400);
    expect(unknown.text()).toContain('no-such-store');
    const moved = await updateHosted(wharf.http, 'on-s3', { httpPort: port, blobStoreName: 'default' });
    expect(moved.status).toBe(400);
    expect(moved.text()).toContain('cannot change');
  });

  it('is for administrators only', async () => {
    expect((await wharf.anonymous.get(`${S3}/s3-store`)).status).toBe(401);
    expect((await wharf.anonymous.sendJson('POST', S3, storeBody('anon'))).status).toBe(401);
  });

  it('opens the store again after a restart', async () => {
    const m = imageManifest();
    expect((await new Registry(wharf.on(port)).pushImage('app', 'v3', m)).status).toBe(201);
    const dataDir = wharf.dataDir;
    const password = wharf.admin.password;
    await wharf.close();
    wharf = await startTestWharf({ dataDir, adminPassword: password, keepData: true });
    const registry = new Registry(wharf.on(port));
    expect((await registry.getManifest('app', 'v3')).body.equals(m.bytes)).toBe(true);
    for (const blob of m.blobs) expect((await registry.getBlob('app', blob.digest)).body.equals(blob.bytes)).toBe(true);
  });
});
