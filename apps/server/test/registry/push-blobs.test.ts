import { beforeAll, describe, expect, it } from 'vitest';
import { randomBlob, unknownDigest } from '@wharf/test-kit';
import { expectHeadError, expectRegistryError, pathOf, withQuery } from '../support/registry';
import { FORMS, type HostedFixture, hostedFixture, via } from '../support/setup';
import { useTestWharf } from '../support/wharf';

const wharf = useTestWharf();
let repo: HostedFixture;
let other: HostedFixture;

beforeAll(async () => {
  repo = await hostedFixture(wharf, 'blobs-hosted');
  other = await hostedFixture(wharf, 'blobs-other');
});

const OCTETS = { 'Content-Type': 'application/octet-stream' };

describe.each(FORMS)('monolithic upload (POST then PUT) through the %s form', (form) => {
  it('POST is 202 with Location, Docker-Upload-UUID and Range; PUT ?digest= is 201 and the blob is pullable', async () => {
    const { registry, name } = via(repo, form, `mono/${form}`);
    const blob = randomBlob(40_000);
    const post = await registry.http.post(registry.uploadsPath(name));
    expect(post.status).toBe(202);
    const location = post.header('location')!;
    const uuid = post.header('docker-upload-uuid');
    expect(uuid).toBeTruthy();
    expect(pathOf(location)).toBe(registry.path(name, `blobs/uploads/${uuid}`));
    expect(post.header('range')).toBe('0-0');
    expect(post.header('docker-distribution-api-version')).toBe('registry/2.0');

    const put = await registry.http.put(withQuery(location, { digest: blob.digest }), { headers: OCTETS, body: blob.bytes });
    expect(put.status, put.text()).toBe(201);
    expect(put.header('docker-content-digest')).toBe(blob.digest);
    expect(pathOf(put.header('location'))).toBe(registry.blobPath(name, blob.digest));

    const get = await registry.http.get(put.header('location')!);
    expect(get.status).toBe(200);
    expect(get.body.equals(blob.bytes)).toBe(true);

    // The session is closed: its URL is now unknown.
    expectRegistryError(await registry.http.get(location), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectRegistryError(await registry.http.put(withQuery(location, { digest: blob.digest }), { headers: OCTETS, body: blob.bytes }), 404, 'BLOB_UPLOAD_UNKNOWN');
  });
});

describe('single-request upload (POST ?digest=)', () => {
  it('is 201 with Location and Docker-Content-Digest, and the blob is pullable', async () => {
    const blob = randomBlob(5000);
    const res = await repo.connector.http.post(repo.connector.uploadsPath('single', `?digest=${blob.digest}`), { headers: OCTETS, body: blob.bytes });
    expect(res.status, res.text()).toBe(201);
    expect(res.header('docker-content-digest')).toBe(blob.digest);
    expect(pathOf(res.header('location'))).toBe(`/v2/single/blobs/${blob.digest}`);
    const get = await repo.connector.getBlob('single', blob.digest);
    expect(get.body.equals(blob.bytes)).toBe(true);
  });

  it('works on the main port with /v2/<repo>/<image>', async () => {
    const blob = randomBlob(777);
    const name = repo.mainName('single/main');
    const res = await repo.main.http.post(repo.main.uploadsPath(name, `?digest=${blob.digest}`), { headers: OCTETS, body: blob.bytes });
    expect(res.status, res.text()).toBe(201);
    expect(pathOf(res.header('location'))).toBe(`/v2/${name}/blobs/${blob.digest}`);
    expect((await repo.connector.getBlob('single/main', blob.digest)).body.equals(blob.bytes)).toBe(true);
  });

  it('an empty blob can be pushed and pulled', async () => {
    const empty = randomBlob(0);
    const res = await repo.connector.http.post(repo.connector.uploadsPath('single', `?digest=${empty.digest}`), { headers: OCTETS, body: Buffer.alloc(0) });
    expect(res.status, res.text()).toBe(201);
    const get = await repo.connector.getBlob('single', empty.digest);
    expect(get.status).toBe(200);
    expect(get.body.length).toBe(0);
    expect(get.header('content-length')).toBe('0');
  });

  it('pushing the same blob twice is fine (idempotent)', async () => {
    const blob = randomBlob(100);
    await repo.connector.pushBlob('twice', blob);
    await repo.connector.pushBlob('twice', blob);
    expect((await repo.connector.getBlob('twice', blob.digest)).body.equals(blob.bytes)).toBe(true);
  });
});

describe('chunked upload (PATCH)', () => {
  it('chunks with Content-Range are 202 with Location, Range and Docker-Upload-UUID; GET reports the offset; PUT completes', async () => {
    const blob = randomBlob(30_000);
    const name = 'chunked/a';
    const { location, uuid } = await repo.connector.startUpload(name);
    const p1 = await repo.connector.http.patch(location, {
      headers: { ...OCTETS, 'Content-Range': '0-9999' },
      body: blob.bytes.subarray(0, 10_000),
    });
    expect(p1.status, p1.text()).toBe(202);
    expect(p1.header('range')).toBe('0-9999');
    expect(p1.header('docker-upload-uuid')).toBe(uuid);
    expect(pathOf(p1.header('location'))).toBe(`/v2/${name}/blobs/uploads/${uuid}`);

    const status = await repo.connector.http.get(p1.header('location')!);
    expect(status.status).toBe(204);
    expect(status.header('range')).toBe('0-9999');
    expect(status.header('docker-upload-uuid')).toBe(uuid);
    expect(pathOf(status.header('location'))).toBe(`/v2/${name}/blobs/uploads/${uuid}`);

    const p2 = await repo.connector.http.patch(p1.header('location')!, {
      headers: { ...OCTETS, 'Content-Range': '10000-29999' },
      body: blob.bytes.subarray(10_000),
    });
    expect(p2.status, p2.text()).toBe(202);
    expect(p2.header('range')).toBe('0-29999');

    const put = await repo.connector.http.put(withQuery(p2.header('location')!, { digest: blob.digest }));
    expect(put.status, put.text()).toBe(201);
    expect(put.header('docker-content-digest')).toBe(blob.digest);
    expect(pathOf(put.header('location'))).toBe(`/v2/${name}/blobs/${blob.digest}`);
    const get = await repo.connector.getBlob(name, blob.digest);
    expect(get.body.equals(blob.bytes)).toBe(true);
  });

  it('the last chunk may come with the closing PUT', async () => {
    const blob = randomBlob(8000);
    const { location } = await repo.connector.startUpload('chunked/b');
    const p1 = await repo.connector.http.patch(location, { headers: { ...OCTETS, 'Content-Range': '0-4999' }, body: blob.bytes.subarray(0, 5000) });
    expect(p1.status).toBe(202);
    const put = await repo.connector.http.put(withQuery(p1.header('location')!, { digest: blob.digest }), {
      headers: { ...OCTETS, 'Content-Range': '5000-7999' },
      body: blob.bytes.subarray(5000),
    });
    expect(put.status, put.text()).toBe(201);
    expect((await repo.connector.getBlob('chunked/b', blob.digest)).body.equals(blob.bytes)).toBe(true);
  });

  it('a PATCH without Content-Range (streamed, as Docker does) appends', async () => {
    const blob = randomBlob(3000);
    const { location } = await repo.connector.startUpload('chunked/c');
    const p1 = await repo.connector.http.patch(location, { headers: OCTETS, body: blob.bytes.subarray(0, 1000) });
    expect(p1.status).toBe(202);
    expect(p1.header('range')).toBe('0-999');
    const p2 = await repo.connector.http.patch(p1.header('location')!, { headers: OCTETS, body: blob.bytes.subarray(1000) });
    expect(p2.header('range')).toBe('0-2999');
    const put = await repo.connector.http.put(withQuery(p2.header('location')!, { digest: blob.digest }));
    expect(put.status).toBe(201);
  });

  it('an out-of-order chunk is 416 with the current Range and Location, and the upload can go on', async () => {
    const blob = randomBlob(3000);
    const { location, uuid } = await repo.connector.startUpload('chunked/d');
    const p1 = await repo.connector.http.patch(location, { headers: { ...OCTETS, 'Content-Range': '0-999' }, body: blob.bytes.subarray(0, 1000) });
    expect(p1.status).toBe(202);

    // A gap (starts after the end), then a repeat of the first chunk (starts before the end).
    for (const [range, from, to] of [['2000-2999', 2000, 3000], ['0-999', 0, 1000]] as const) {
      const bad = await repo.connector.http.patch(p1.header('location')!, { headers: { ...OCTETS, 'Content-Range': range }, body: blob.bytes.subarray(from, to) });
      expect(bad.status, range).toBe(416);
      expect(bad.header('range'), range).toBe('0-999');
      expect(pathOf(bad.header('location'))).toBe(`/v2/chunked/d/blobs/uploads/${uuid}`);
      expect(bad.header('docker-distribution-api-version')).toBe('registry/2.0');
    }

    const status = await repo.connector.http.get(p1.header('location')!);
    expect(status.status).toBe(204);
    expect(status.header('range')).toBe('0-999');

    const p2 = await repo.connector.http.patch(status.header('location')!, { headers: { ...OCTETS, 'Content-Range': '1000-2999' }, body: blob.bytes.subarray(1000) });
    expect(p2.status).toBe(202);
    const put = await repo.connector.http.put(withQuery(p2.header('location')!, { digest: blob.digest }));
    expect(put.status, put.text()).toBe(201);
    expect((await repo.connector.getBlob('chunked/d', blob.digest)).body.equals(blob.bytes)).toBe(true);
  });

  it('chunked upload on the main port keeps the /v2/<repo>/<image> form in Location', async () => {
    const blob = randomBlob(2048);
    const name = repo.mainName('chunked/main');
    const { location, uuid } = await repo.main.startUpload(name);
    expect(pathOf(location)).toBe(`/v2/${name}/blobs/uploads/${uuid}`);
    const p1 = await repo.main.http.patch(location, { headers: { ...OCTETS, 'Content-Range': '0-2047' }, body: blob.bytes });
    expect(p1.status).toBe(202);
    expect(pathOf(p1.header('location'))).toBe(`/v2/${name}/blobs/uploads/${uuid}`);
    const put = await repo.main.http.put(withQuery(p1.header('location')!, { digest: blob.digest }));
    expect(put.status).toBe(201);
    expect(pathOf(put.header('location'))).toBe(`/v2/${name}/blobs/${blob.digest}`);
  });
});

describe('cancel (DELETE upload)', () => {
  it('is 204; afterwards the session is unknown and nothing was stored', async () => {
    const blob = randomBlob(1000);
    const { location } = await repo.connector.startUpload('cancel/a');
    const p1 = await repo.connector.http.patch(location, { headers: OCTETS, body: blob.bytes });
    expect(p1.status).toBe(202);
    const del = await repo.connector.http.delete(p1.header('location')!);
    expect(del.status).toBe(204);
    expect(del.header('docker-distribution-api-version')).toBe('registry/2.0');

    expectRegistryError(await repo.connector.http.get(location), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectRegistryError(await repo.connector.http.patch(location, { headers: OCTETS, body: blob.bytes }), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectRegistryError(await repo.connector.http.put(withQuery(location, { digest: blob.digest })), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectRegistryError(await repo.connector.http.delete(location), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectHeadError(await repo.connector.headBlob('cancel/a', blob.digest), 404);
  });
});

describe('cross-repository blob mount', () => {
  it('mounts from another image of the same repository (connector): 201, Location, Docker-Content-Digest', async () => {
    const blob = randomBlob(4096);
    await repo.connector.pushBlob('mount/source', blob);
    const res = await repo.connector.http.post(repo.connector.uploadsPath('mount/target', `?mount=${blob.digest}&from=mount/source`));
    expect(res.status, res.text()).toBe(201);
    expect(res.header('docker-content-digest')).toBe(blob.digest);
    expect(pathOf(res.header('location'))).toBe(`/v2/mount/target/blobs/${blob.digest}`);
    const get = await repo.connector.getBlob('mount/target', blob.digest);
    expect(get.status).toBe(200);
    expect(get.body.equals(blob.bytes)).toBe(true);
  });

  it('mounts from another repository by path on the main port (from=<repo>/<image>)', async () => {
    const blob = randomBlob(2222);
    await other.connector.pushBlob('lib/base', blob);
    const target = repo.mainName('mount/from-other');
    const res = await repo.main.http.post(repo.main.uploadsPath(target, `?mount=${blob.digest}&from=${other.name}/lib/base`));
    expect(res.status, res.text()).toBe(201);
    expect(res.header('docker-content-digest')).toBe(blob.digest);
    expect(pathOf(res.header('location'))).toBe(`/v2/${target}/blobs/${blob.digest}`);
    const get = await repo.connector.getBlob('mount/from-other', blob.digest);
    expect(get.status).toBe(200);
    expect(get.body.equals(blob.bytes)).toBe(true);
  });

  it('falls back to a new upload session (202) when the source does not have the blob, and that session works', async () => {
    const blob = randomBlob(1500);
    const res = await repo.connector.http.post(repo.connector.uploadsPath('mount/fallback', `?mount=${blob.digest}&from=mount/empty-source`));
    expect(res.status, res.text()).toBe(202);
    const uuid = res.header('docker-upload-uuid');
    expect(uuid).toBeTruthy();
    expect(pathOf(res.header('location'))).toBe(`/v2/mount/fallback/blobs/uploads/${uuid}`);
    const put = await repo.connector.http.put(withQuery(res.header('location')!, { digest: blob.digest }), { headers: OCTETS, body: blob.bytes });
    expect(put.status, put.text()).toBe(201);
    expect((await repo.connector.getBlob('mount/fallback', blob.digest)).body.equals(blob.bytes)).toBe(true);
  });

  it('falls back to 202 when the blob exists elsewhere but not in the named source', async () => {
    const blob = randomBlob(600);
    await repo.connector.pushBlob('mount/holder', blob);
    const res = await repo.main.http.post(repo.main.uploadsPath(repo.mainName('mount/x'), `?mount=${blob.digest}&from=${other.name}/lib/base`));
    expect(res.status, res.text()).toBe(202);
    expectHeadError(await repo.connector.headBlob('mount/x', blob.digest), 404);
  });

  it('falls back to 202 when the source repository does not exist', async () => {
    const blob = randomBlob(600);
    await repo.connector.pushBlob('mount/holder', blob);
    const res = await repo.main.http.post(repo.main.uploadsPath(repo.mainName('mount/y'), `?mount=${blob.digest}&from=no-such-repo/img`));
    expect(res.status, res.text()).toBe(202);
    expectHeadError(await repo.connector.headBlob('mount/y', blob.digest), 404);
  });

  it('a mount of an unknown digest falls back to 202 too', async () => {
    const res = await repo.connector.http.post(repo.connector.uploadsPath('mount/z', `?mount=${unknownDigest()}&from=mount/source`));
    expect(res.status, res.text()).toBe(202);
  });
});
