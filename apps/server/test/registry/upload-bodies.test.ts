import { nativeIoAvailable, nativeReceives } from '@wharf/native-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBucket, createTestBucket } from '../../../../test/services/buckets';
import { takenBodies } from '../../src/http/taken-bodies';
import { randomBlob } from '@wharf/test-kit';
import { freePort } from '../support/ports';
import { RawConnection, chunked, requestHead } from '../support/raw-connection';
import { Registry, expectRegistryError, pathOf, withQuery } from '../support/registry';
import { createHosted } from '../support/rest';
import { type HostedFixture, hostedFixture } from '../support/setup';
import { useTestWharf } from '../support/wharf';

// Upload bodies of 1 MiB and more (and every chunked one) are taken off Node's HTTP parser and read by the
// native addon into the upload's file, on the server's own keep-alive connection (http/taken-bodies.ts).
// These tests pin what clients see on that path: the same answers as through JavaScript, connections that go
// on serving requests afterwards, and the refusals.

const MiB = 1024 * 1024;
const OCTETS = { 'Content-Type': 'application/octet-stream' };

const wharf = useTestWharf();
let repo: HostedFixture;
let port: number;

beforeAll(async () => {
  repo = await hostedFixture(wharf, 'taken-hosted');
  port = repo.httpPort!;
});

/** Counts of bodies taken off the parser and received by the addon during `work`. */
async function counted<T>(work: () => Promise<T>): Promise<{ result: T; taken: number; received: number }> {
  const taken = takenBodies();
  const received = nativeReceives();
  const result = await work();
  return { result, taken: takenBodies() - taken, received: nativeReceives() - received };
}

/** A new upload session's path (Location, as the client will use it). */
async function session(image: string): Promise<string> {
  return pathOf((await repo.connector.startUpload(image)).location);
}

/** What the metrics say the repository received in request bodies. */
async function receivedBytes(): Promise<number> {
  const text = (await wharf.http.get('/service/metrics/prometheus')).text();
  const line = text.split('\n').find((l) => l.startsWith('wharf_repository_received_bytes_total{repository="taken-hosted"}'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function expectStored(image: string, blob: { digest: string; bytes: Buffer }): Promise<void> {
  const get = await repo.connector.getBlob(image, blob.digest);
  expect(get.status).toBe(200);
  expect(get.body.equals(blob.bytes)).toBe(true);
}

describe.runIf(nativeIoAvailable())('upload bodies read by the addon', () => {
  it('a chunked PATCH, as docker sends it, is received by the addon and the upload completes', async () => {
    const blob = randomBlob(9 * MiB + 5);
    const path = await session('chunked');
    const receivedBefore = await receivedBytes();
    const conn = await RawConnection.open(port);
    // Pieces of different sizes, as a client's writes become chunks.
    const pieces = [blob.bytes.subarray(0, 32 * 1024), blob.bytes.subarray(32 * 1024, 5 * MiB), blob.bytes.subarray(5 * MiB)];
    const { result: patch, taken, received } = await counted(async () => {
      await conn.write(requestHead('PATCH', path, { Authorization: wharf.authorization, 'Transfer-Encoding': 'chunked', ...OCTETS }));
      await conn.write(chunked(pieces));
      return conn.response();
    });
    expect(patch.status, patch.body.toString()).toBe(202);
    expect(patch.headers.range).toBe(`0-${blob.size - 1}`);
    expect({ taken, received }).toEqual({ taken: 1, received: 1 });
    // The same connection closes the upload.
    await conn.write(requestHead('PUT', withQuery(patch.headers.location!, { digest: blob.digest }), { Authorization: wharf.authorization, 'Content-Length': 0 }));
    const put = await conn.response();
    expect(put.status, put.body.toString()).toBe(201);
    expect(put.headers['docker-content-digest']).toBe(blob.digest);
    conn.destroy();
    await expectStored('chunked', blob);
    // Node's socket never saw the body: its size comes from the addon.
    expect((await receivedBytes()) - receivedBefore).toBe(blob.size);
  });

  it('PATCHes with Content-Range, the status in between and a closing PUT with the last chunk keep their answers', async () => {
    const blob = randomBlob(4 * MiB + 123);
    let location = await session('ranges');
    const cuts = [0, 1.5 * MiB, 3 * MiB];
    const { taken } = await counted(async () => {
      for (let i = 0; i < cuts.length - 1; i++) {
        const [start, end] = [cuts[i]!, cuts[i + 1]!];
        const res = await repo.connector.http.patch(location, {
          headers: { ...OCTETS, 'Content-Range': `${start}-${end - 1}`, 'Content-Length': String(end - start) },
          body: blob.bytes.subarray(start, end),
        });
        expect(res.status, res.text()).toBe(202);
        expect(res.header('range')).toBe(`0-${end - 1}`);
        location = res.header('location')!;
        const status = await repo.connector.http.get(location);
        expect(status.status).toBe(204);
        expect(status.header('range')).toBe(`0-${end - 1}`);
      }
      const put = await repo.connector.http.put(withQuery(location, { digest: blob.digest }), { headers: OCTETS, body: blob.bytes.subarray(3 * MiB) });
      expect(put.status, put.text()).toBe(201);
    });
    expect(taken).toBe(3);
    await expectStored('ranges', blob);
  });

  it('a monolithic PUT and a single-request POST ?digest= are received by the addon', async () => {
    const mono = randomBlob(2 * MiB);
    const single = randomBlob(3 * MiB);
    const { taken, received } = await counted(async () => {
      const put = await repo.connector.http.put(withQuery(await session('mono'), { digest: mono.digest }), { headers: OCTETS, body: mono.bytes });
      expect(put.status, put.text()).toBe(201);
      const post = await repo.connector.http.post(repo.connector.uploadsPath('mono', `?digest=${single.digest}`), { headers: OCTETS, body: single.bytes });
      expect(post.status, post.text()).toBe(201);
      expect(post.header('docker-content-digest')).toBe(single.digest);
    });
    expect({ taken, received }).toEqual({ taken: 2, received: 2 });
    await expectStored('mono', mono);
    await expectStored('mono', single);
  });

  it('a digest mismatch refuses the blob and stores nothing; the session stays for a retry', async () => {
    const blob = randomBlob(2 * MiB);
    const claimed = randomBlob(16).digest;
    const location = await session('mismatch');
    const patch = await repo.connector.http.patch(location, { headers: OCTETS, body: blob.bytes });
    expect(patch.status).toBe(202);
    const put = await repo.connector.http.put(withQuery(patch.header('location')!, { digest: claimed }), {});
    expectRegistryError(put, 400, 'DIGEST_INVALID');
    for (const digest of [claimed, blob.digest]) expect((await repo.connector.headBlob('mismatch', digest)).status).toBe(404);
    expect((await repo.connector.http.get(patch.header('location')!)).header('range')).toBe(`0-${blob.size - 1}`);
    const retry = await repo.connector.http.put(withQuery(patch.header('location')!, { digest: blob.digest }), {});
    expect(retry.status, retry.text()).toBe(201);

    const other = randomBlob(2 * MiB);
    const post = await repo.connector.http.post(repo.connector.uploadsPath('mismatch', `?digest=${claimed}`), { headers: OCTETS, body: other.bytes });
    expectRegistryError(post, 400, 'DIGEST_INVALID');
    for (const digest of [claimed, other.digest]) expect((await repo.connector.headBlob('mismatch', digest)).status).toBe(404);
  });

  it('the connection serves the next requests after a body, pipelined ones too', async () => {
    const first = randomBlob(MiB + 7);
    const second = randomBlob(2 * MiB);
    const conn = await RawConnection.open(port);
    // A chunked PATCH and a GET written together: the GET arrives with (or right after) the body's last bytes.
    await conn.write(
      Buffer.concat([
        Buffer.from(requestHead('PATCH', await session('keep'), { Authorization: wharf.authorization, 'Transfer-Encoding': 'chunked' })),
        chunked([first.bytes]),
        Buffer.from(requestHead('GET', '/v2/', { Authorization: wharf.authorization })),
      ]),
    );
    const patched = await conn.response();
    expect(patched.status, patched.body.toString()).toBe(202);
    expect((await conn.response()).status).toBe(200);
    // And a body with a Content-Length on the same connection.
    const location = await session('keep');
    await conn.write(requestHead('PUT', withQuery(location, { digest: second.digest }), { Authorization: wharf.authorization, 'Content-Length': second.size }));
    await conn.write(second.bytes);
    const put = await conn.response();
    expect(put.status, put.body.toString()).toBe(201);
    await conn.write(requestHead('PUT', withQuery(patched.headers.location!, { digest: first.digest }), { Authorization: wharf.authorization, 'Content-Length': 0 }));
    expect((await conn.response()).status).toBe(201);
    expect(await conn.closed(200)).toBe(false);
    conn.destroy();
    await expectStored('keep', first);
    await expectStored('keep', second);
  });

  it('an answer given before the body was read closes the connection (416, 401)', async () => {
    const blob = randomBlob(2 * MiB);
    const location = await session('refused');
    const conn = await RawConnection.open(port);
    await conn.write(requestHead('PATCH', location, { Authorization: wharf.authorization, 'Content-Range': `5-${blob.size + 4}`, 'Content-Length': blob.size }));
    await conn.write(blob.bytes).catch(() => undefined);
    const refused = await conn.response();
    expect(refused.status).toBe(416);
    expect(refused.headers.range).toBe('0-0');
    expect(refused.headers.connection).toBe('close');
    expect(await conn.closed()).toBe(true);

    const anonymous = await RawConnection.open(port);
    await anonymous.write(requestHead('PATCH', location, { 'Transfer-Encoding': 'chunked' }));
    await anonymous.write(chunked([blob.bytes])).catch(() => undefined);
    const challenged = await anonymous.response();
    expect(challenged.status).toBe(401);
    expect(challenged.headers.connection).toBe('close');
    expect(await anonymous.closed()).toBe(true);
    // Nothing was appended.
    expect((await repo.connector.http.get(location)).header('range')).toBe('0-0');
  });

  it('a body that is not valid chunked coding is 400 and closes the connection', async () => {
    const location = await session('malformed');
    const conn = await RawConnection.open(port);
    await conn.write(requestHead('PATCH', location, { Authorization: wharf.authorization, 'Transfer-Encoding': 'chunked' }));
    await conn.write('10\r\n0123456789abcdef\r\nzz\r\n');
    const res = await conn.response();
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).errors[0].code).toBe('BLOB_UPLOAD_INVALID');
    expect(await conn.closed()).toBe(true);
  });

  it('a client that goes away in the middle of a body leaves a session it can resume from what arrived', async () => {
    const blob = randomBlob(6 * MiB);
    const location = await session('resume');
    const conn = await RawConnection.open(port);
    await conn.write(requestHead('PATCH', location, { Authorization: wharf.authorization, 'Content-Length': blob.size }));
    await conn.write(blob.bytes.subarray(0, 2 * MiB));
    let offset = 0;
    // What arrived is appended (the server notices the closed connection and keeps it).
    conn.destroy();
    for (let i = 0; i < 100 && offset < 2 * MiB; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const range = (await repo.connector.http.get(location)).header('range')!;
      offset = Number(range.split('-')[1]) + 1;
    }
    expect(offset).toBe(2 * MiB);
    const rest = await repo.connector.http.patch(location, {
      headers: { ...OCTETS, 'Content-Range': `${offset}-${blob.size - 1}` },
      body: blob.bytes.subarray(offset),
    });
    expect(rest.status, rest.text()).toBe(202);
    const put = await repo.connector.http.put(withQuery(rest.header('location')!, { digest: blob.digest }), {});
    expect(put.status, put.text()).toBe(201);
    await expectStored('resume', blob);
  });

  it('concurrent uploads of one blob all succeed, with one intact blob', async () => {
    const blob = randomBlob(5 * MiB);
    const results = await Promise.all(
      [1, 2, 3].map(async () => {
        const location = await session('concurrent');
        const conn = await RawConnection.open(port);
        await conn.write(requestHead('PATCH', location, { Authorization: wharf.authorization, 'Transfer-Encoding': 'chunked' }));
        await conn.write(chunked([blob.bytes.subarray(0, 3 * MiB), blob.bytes.subarray(3 * MiB)]));
        const patch = await conn.response();
        await conn.write(requestHead('PUT', withQuery(patch.headers.location!, { digest: blob.digest }), { Authorization: wharf.authorization, 'Content-Length': 0 }));
        const put = await conn.response();
        conn.destroy();
        return [patch.status, put.status];
      }),
    );
    expect(results).toEqual([
      [202, 201],
      [202, 201],
      [202, 201],
    ]);
    await expectStored('concurrent', blob);
  });
});

describe.runIf(nativeIoAvailable())('upload bodies for a store without a local file (S3)', () => {
  let bucket: TestBucket;
  let s3: Registry;
  let s3Port: number;

  beforeAll(async () => {
    bucket = await createTestBucket({ create: false });
    const s = bucket.store;
    const store = await wharf.http.sendJson('POST', '/service/rest/v1/blobstores/s3', {
      name: 'taken-s3',
      softQuota: null,
      bucketConfiguration: {
        bucket: { name: s.bucket, region: s.region, prefix: 'wharf', expiration: 3 },
        bucketSecurity: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
        advancedBucketConnection: { endpoint: s.endpoint, forcePathStyle: true },
      },
    });
    expect(store.status, store.text()).toBe(201);
    s3Port = await freePort();
    await createHosted(wharf.http, 'taken-on-s3', { httpPort: s3Port, blobStoreName: 'taken-s3' });
    s3 = new Registry(wharf.on(s3Port));
  });

  afterAll(async () => {
    await bucket?.remove();
  });

  it('are read by the addon and streamed to the bucket: a chunked PATCH, a monolithic PUT', async () => {
    const streamed = randomBlob(6 * MiB + 1);
    const mono = randomBlob(2 * MiB);
    const { taken, received } = await counted(async () => {
      const conn = await RawConnection.open(s3Port);
      await conn.write(requestHead('PATCH', pathOf((await s3.startUpload('app')).location), { Authorization: wharf.authorization, 'Transfer-Encoding': 'chunked' }));
      await conn.write(chunked([streamed.bytes.subarray(0, MiB), streamed.bytes.subarray(MiB)]));
      const patch = await conn.response();
      expect(patch.status, patch.body.toString()).toBe(202);
      await conn.write(requestHead('PUT', withQuery(patch.headers.location!, { digest: streamed.digest }), { Authorization: wharf.authorization, 'Content-Length': 0 }));
      const put = await conn.response();
      expect(put.status, put.body.toString()).toBe(201);
      conn.destroy();
      const monoPut = await s3.http.put(withQuery((await s3.startUpload('app')).location, { digest: mono.digest }), { headers: OCTETS, body: mono.bytes });
      expect(monoPut.status, monoPut.text()).toBe(201);
    });
    expect({ taken, received }).toEqual({ taken: 2, received: 0 });
    for (const blob of [streamed, mono]) {
      const get = await s3.getBlob('app', blob.digest);
      expect(get.status).toBe(200);
      expect(get.body.equals(blob.bytes)).toBe(true);
    }
  });
});
