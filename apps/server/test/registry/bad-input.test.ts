import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MT, blobOf, imageManifest, randomBlob, sha512, unknownDigest } from '@wharf/test-kit';
import { rawRequest } from '../support/http';
import { Registry, expectHeadError, expectRegistryError, withQuery } from '../support/registry';
import { createHostedRaw, hostedBody } from '../support/rest';
import { type HostedFixture, hostedFixture } from '../support/setup';
import { useTestWharf } from '../support/wharf';

const wharf = useTestWharf();
let repo: HostedFixture;
const OCTETS = { 'Content-Type': 'application/octet-stream' };

beforeAll(async () => {
  repo = await hostedFixture(wharf, 'bad-input');
});

/** The server is still up and consistent: a full push and pull works. */
async function stillWorks(): Promise<void> {
  const m = imageManifest();
  await repo.connector.pushImage('healthy', 'ok', m);
  const res = await repo.main.getManifest(repo.mainName('healthy'), 'ok');
  expect(res.status).toBe(200);
  expect(res.body.equals(m.bytes)).toBe(true);
}

/** A blob may not be fetchable from any image the tests used. */
async function notStored(digest: string, images: string[]): Promise<void> {
  for (const image of images) expectHeadError(await repo.connector.headBlob(image, digest), 404);
}

describe('invalid repository names are 400 NAME_INVALID', () => {
  it('upper case', async () => {
    expectRegistryError(await repo.connector.getManifest('MyApp', 'latest'), 400, 'NAME_INVALID');
    expectRegistryError(await repo.main.getManifest(`${repo.name}/team/MyApp`, 'latest'), 400, 'NAME_INVALID');
    const blob = randomBlob(10);
    const push = await repo.connector.http.post(repo.connector.uploadsPath('Upper', `?digest=${blob.digest}`), { headers: OCTETS, body: blob.bytes });
    expectRegistryError(push, 400, 'NAME_INVALID');
    await notStored(blob.digest, ['upper']);
    await stillWorks();
  });

  it('".." inside a component', async () => {
    expectRegistryError(await repo.connector.getManifest('a..b', 'latest'), 400, 'NAME_INVALID');
    expectRegistryError(await repo.main.tags(`${repo.name}/x..y`), 400, 'NAME_INVALID');
  });

  it('".." as a path segment, literal or percent-encoded (sent without URL normalisation)', async () => {
    for (const path of [
      `/v2/${repo.name}/app/../other/manifests/latest`,
      `/v2/${repo.name}/app/%2e%2e/other/manifests/latest`,
      `/repository/${repo.name}/v2/app/../../manifests/latest`,
    ]) {
      const res = await rawRequest({ port: wharf.port, method: 'GET', path, headers: { Authorization: wharf.authorization } });
      expectRegistryError(res, 400, 'NAME_INVALID');
    }
    const blob = randomBlob(20);
    const res = await rawRequest({
      port: repo.httpPort!,
      method: 'POST',
      path: `/v2/app/../escape/blobs/uploads/?digest=${blob.digest}`,
      headers: { Authorization: wharf.authorization, 'Content-Type': 'application/octet-stream', 'Content-Length': blob.size },
      body: [blob.bytes],
    });
    expectRegistryError(res, 400, 'NAME_INVALID');
    await notStored(blob.digest, ['escape', 'app', 'app/escape']);
    await stillWorks();
  });

  it('empty path segments (leading, double or trailing "/")', async () => {
    expectRegistryError(await repo.main.getManifest(`${repo.name}//app`, 'latest'), 400, 'NAME_INVALID');
    expectRegistryError(await repo.connector.getManifest('team//app', 'latest'), 400, 'NAME_INVALID');
    expectRegistryError(await repo.connector.getManifest('team/app/', 'latest'), 400, 'NAME_INVALID');
    expectRegistryError(await repo.connector.http.post('/v2//app/blobs/uploads/'), 400, 'NAME_INVALID');
  });

  it('characters outside the grammar and separators at the ends', async () => {
    for (const name of ['caf%C3%A9', 'app%20x', '-app', 'app-', 'app_', 'a___b', 'app:tag']) {
      expectRegistryError(await repo.connector.getManifest(name, 'latest'), 400, 'NAME_INVALID');
    }
  });

  it('a name of 256 characters is refused; 255 is accepted', async () => {
    const long = `${'a'.repeat(120)}/${'b'.repeat(135)}`; // 256
    expect(long.length).toBe(256);
    expectRegistryError(await repo.connector.getManifest(long, 'latest'), 400, 'NAME_INVALID');
    expectRegistryError(await repo.connector.http.post(repo.connector.uploadsPath(long)), 400, 'NAME_INVALID');
    const mainLong = `${repo.name}/${'c'.repeat(255 - repo.name.length)}`; // 256 with the repository
    expect(mainLong.length).toBe(256);
    expectRegistryError(await repo.main.getManifest(mainLong, 'latest'), 400, 'NAME_INVALID');
    expectRegistryError(await repo.connector.getManifest('x'.repeat(1000), 'latest'), 400, 'NAME_INVALID');

    const longest = long.slice(1); // 255
    const m = imageManifest();
    await repo.connector.pushImage(longest, 'v1', m);
    expect((await repo.connector.getManifest(longest, 'v1')).body.equals(m.bytes)).toBe(true);
  });

  it('on the main port a single segment names no image', async () => {
    expectRegistryError(await wharf.http.get('/v2/app/manifests/latest'), 400, 'NAME_INVALID');
    expectRegistryError(await wharf.http.post('/v2/app/blobs/uploads/'), 400, 'NAME_INVALID');
  });
});

describe('a manifest reference that is neither a tag nor a digest', () => {
  const bad = ['.INVALID_MANIFEST_NAME', '-dash', 'a'.repeat(129)];

  it('is 404 MANIFEST_UNKNOWN on GET and HEAD (the spec allows only 404 there)', async () => {
    for (const reference of bad) {
      expectRegistryError(await repo.connector.getManifest('app', reference), 404, 'MANIFEST_UNKNOWN');
      expectHeadError(await repo.connector.headManifest('app', reference), 404);
      expectRegistryError(await repo.main.getManifest(repo.mainName('app'), reference), 404, 'MANIFEST_UNKNOWN');
    }
  });

  it('is still 400 TAG_INVALID on a push, which stores nothing', async () => {
    const m = imageManifest();
    await repo.connector.pushBlobs('app', m.blobs);
    expectRegistryError(await repo.connector.putManifest('app', '.INVALID_MANIFEST_NAME', m), 400, 'TAG_INVALID');
    expectRegistryError(await repo.connector.getManifest('app', m.digest), 404, 'MANIFEST_UNKNOWN');
  });
});

describe('malformed digests are 400 DIGEST_INVALID', () => {
  const bad = ['sha256:abc', `sha256:${'A'.repeat(64)}`, `md5:${'0'.repeat(32)}`, 'nodigest', `sha256:${'0'.repeat(63)}g`, 'sha256'];

  it('in blob GET, HEAD and DELETE', async () => {
    for (const digest of bad) {
      expectRegistryError(await repo.connector.getBlob('app', digest), 400, 'DIGEST_INVALID');
      expectHeadError(await repo.connector.headBlob('app', digest), 400);
      expectRegistryError(await repo.connector.http.delete(repo.connector.blobPath('app', digest)), 400, 'DIGEST_INVALID');
    }
  });

  it('as a manifest reference', async () => {
    for (const digest of bad.filter((d) => d.includes(':'))) {
      expectRegistryError(await repo.connector.getManifest('app', digest), 400, 'DIGEST_INVALID');
      expectRegistryError(await repo.connector.putManifest('app', digest, imageManifest()), 400, 'DIGEST_INVALID');
    }
  });

  it('in a single-request upload (nothing stored)', async () => {
    const blob = randomBlob(64);
    for (const digest of bad) {
      const res = await repo.connector.http.post(repo.connector.uploadsPath('app', `?digest=${encodeURIComponent(digest)}`), { headers: OCTETS, body: blob.bytes });
      expectRegistryError(res, 400, 'DIGEST_INVALID');
    }
    await notStored(blob.digest, ['app']);
    await stillWorks();
  });

  it('in the closing PUT (the session survives and can be completed properly)', async () => {
    const blob = randomBlob(64);
    const { location } = await repo.connector.startUpload('app');
    for (const digest of bad) {
      const res = await repo.connector.http.put(withQuery(location, { digest }), { headers: OCTETS, body: blob.bytes });
      expectRegistryError(res, 400, 'DIGEST_INVALID');
    }
    expectRegistryError(await repo.connector.http.put(location, { headers: OCTETS, body: blob.bytes }), 400, 'DIGEST_INVALID'); // no digest at all
    await notStored(blob.digest, ['app']);
    const status = await repo.connector.http.get(location);
    expect(status.status).toBe(204);
    expect(status.header('range')).toBe('0-0');
    const done = await repo.connector.http.put(withQuery(location, { digest: blob.digest }), { headers: OCTETS, body: blob.bytes });
    expect(done.status, done.text()).toBe(201);
  });

  it('in a mount', async () => {
    const res = await repo.connector.http.post(repo.connector.uploadsPath('app', '?mount=sha256:abc&from=other'));
    expectRegistryError(res, 400, 'DIGEST_INVALID');
  });

  it('in the referrers API', async () => {
    expectRegistryError(await repo.connector.referrers('app', 'sha256:abc'), 400, 'DIGEST_INVALID');
  });

  it('a well-formed sha512 digest is supported', async () => {
    const blob = randomBlob(1000);
    const digest = sha512(blob.bytes);
    const res = await repo.connector.http.post(repo.connector.uploadsPath('sha512', `?digest=${digest}`), { headers: OCTETS, body: blob.bytes });
    expect(res.status, res.text()).toBe(201);
    expect(res.header('docker-content-digest')).toBe(digest);
    const get = await repo.connector.getBlob('sha512', digest);
    expect(get.status).toBe(200);
    expect(get.body.equals(blob.bytes)).toBe(true);
  });
});

describe('digest mismatch on upload completion is 400 DIGEST_INVALID and stores nothing', () => {
  it('POST then PUT with the digest of other content', async () => {
    const blob = randomBlob(4000);
    const claimed = unknownDigest();
    const { location } = await repo.connector.startUpload('mismatch');
    const res = await repo.connector.http.put(withQuery(location, { digest: claimed }), { headers: OCTETS, body: blob.bytes });
    expectRegistryError(res, 400, 'DIGEST_INVALID');
    await notStored(claimed, ['mismatch']);
    await notStored(blob.digest, ['mismatch']);
    await stillWorks();
  });

  it('chunked upload closed with a wrong digest', async () => {
    const blob = randomBlob(4000);
    const { location } = await repo.connector.startUpload('mismatch');
    const patch = await repo.connector.http.patch(location, { headers: { ...OCTETS, 'Content-Range': '0-3999' }, body: blob.bytes });
    expect(patch.status).toBe(202);
    const claimed = randomBlob(4000).digest;
    expectRegistryError(await repo.connector.http.put(withQuery(patch.header('location')!, { digest: claimed })), 400, 'DIGEST_INVALID');
    await notStored(claimed, ['mismatch']);
    await notStored(blob.digest, ['mismatch']);
  });

  it('single-request POST with a wrong digest', async () => {
    const blob = randomBlob(4000);
    const claimed = unknownDigest();
    const res = await repo.connector.http.post(repo.connector.uploadsPath('mismatch', `?digest=${claimed}`), { headers: OCTETS, body: blob.bytes });
    expectRegistryError(res, 400, 'DIGEST_INVALID');
    await notStored(claimed, ['mismatch']);
    await notStored(blob.digest, ['mismatch']);
    // The right digest afterwards works.
    const ok = await repo.connector.http.post(repo.connector.uploadsPath('mismatch', `?digest=${blob.digest}`), { headers: OCTETS, body: blob.bytes });
    expect(ok.status).toBe(201);
  });

  it('a manifest cannot be built on content that failed verification', async () => {
    const m = imageManifest();
    const [config, ...layers] = m.blobs;
    await repo.connector.pushBlob('mismatch/img', config!);
    for (const layer of layers) {
      const res = await repo.connector.http.post(repo.connector.uploadsPath('mismatch/img', `?digest=${layer.digest}`), {
        headers: OCTETS,
        body: Buffer.concat([layer.bytes, Buffer.from('x')]),
      });
      expectRegistryError(res, 400, 'DIGEST_INVALID');
    }
    expectRegistryError(await repo.connector.putManifest('mismatch/img', 'v1', m), 404, 'MANIFEST_BLOB_UNKNOWN');
  });
});

describe('wrong Content-Range on PATCH', () => {
  async function uploadWith(bytes: Buffer): Promise<string> {
    const { location } = await repo.connector.startUpload('ranges');
    const res = await repo.connector.http.patch(location, { headers: { ...OCTETS, 'Content-Range': `0-${bytes.length - 1}` }, body: bytes });
    expect(res.status).toBe(202);
    return res.header('location')!;
  }

  it('a malformed Content-Range is refused with RANGE_INVALID and appends nothing', async () => {
    const blob = randomBlob(200);
    const location = await uploadWith(blob.bytes.subarray(0, 100));
    for (const range of ['abc', '100-', '-100', 'bytes 100-199/200', '100-199-300']) {
      const res = await repo.connector.http.patch(location, { headers: { ...OCTETS, 'Content-Range': range }, body: blob.bytes.subarray(100) });
      expect(res.status, range).toBe(416);
      expect(res.errorCodes(), range).toEqual(['RANGE_INVALID']);
    }
    const status = await repo.connector.http.get(location);
    expect(status.header('range')).toBe('0-99');
  });

  it('an end before the start is refused', async () => {
    const blob = randomBlob(200);
    const location = await uploadWith(blob.bytes.subarray(0, 100));
    const res = await repo.connector.http.patch(location, { headers: { ...OCTETS, 'Content-Range': '199-100' }, body: blob.bytes.subarray(100) });
    expect(res.status).toBe(416);
    expect((await repo.connector.http.get(location)).header('range')).toBe('0-99');
  });

  it('a first chunk that does not start at 0 is 416', async () => {
    const blob = randomBlob(100);
    const { location } = await repo.connector.startUpload('ranges');
    const res = await repo.connector.http.patch(location, { headers: { ...OCTETS, 'Content-Range': '10-109' }, body: blob.bytes });
    expect(res.status).toBe(416);
    expect(res.header('range')).toBe('0-0');
    expect((await repo.connector.http.get(location)).header('range')).toBe('0-0');
  });

  it('a Content-Range whose length disagrees with the body is refused and appends nothing', async () => {
    // The spec ties the two: the response Range must end where the request's Content-Range ends.
    const blob = randomBlob(200);
    const location = await uploadWith(blob.bytes.subarray(0, 100));
    const res = await repo.connector.http.patch(location, { headers: { ...OCTETS, 'Content-Range': '100-199' }, body: blob.bytes.subarray(100, 150) });
    expect([400, 416], `status ${res.status}, Range ${res.header('range')}`).toContain(res.status);
    expect(['RANGE_INVALID', 'SIZE_INVALID', 'BLOB_UPLOAD_INVALID']).toContain(res.errorCodes()[0]);
    expect((await repo.connector.http.get(location)).header('range')).toBe('0-99');
  });
});

describe('unknown upload sessions are 404 BLOB_UPLOAD_UNKNOWN', () => {
  it('for GET, PATCH, PUT and DELETE with an id nobody issued', async () => {
    const blob = randomBlob(10);
    for (const id of [randomUUID(), 'not-a-uuid', '0']) {
      const path = repo.connector.path('app', `blobs/uploads/${id}`);
      expectRegistryError(await repo.connector.http.get(path), 404, 'BLOB_UPLOAD_UNKNOWN');
      expectRegistryError(await repo.connector.http.patch(path, { headers: OCTETS, body: blob.bytes }), 404, 'BLOB_UPLOAD_UNKNOWN');
      expectRegistryError(await repo.connector.http.put(withQuery(path, { digest: blob.digest }), { headers: OCTETS, body: blob.bytes }), 404, 'BLOB_UPLOAD_UNKNOWN');
      expectRegistryError(await repo.connector.http.delete(path), 404, 'BLOB_UPLOAD_UNKNOWN');
    }
    await notStored(blob.digest, ['app']);
    await stillWorks();
  });

  it('for a session used under another image', async () => {
    const blob = randomBlob(10);
    const { uuid } = await repo.connector.startUpload('owner');
    const path = repo.connector.path('thief', `blobs/uploads/${uuid}`);
    expectRegistryError(await repo.connector.http.get(path), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectRegistryError(await repo.connector.http.put(withQuery(path, { digest: blob.digest }), { headers: OCTETS, body: blob.bytes }), 404, 'BLOB_UPLOAD_UNKNOWN');
    await notStored(blob.digest, ['thief', 'owner']);
  });

  it('for a session used under another repository', async () => {
    const other = await hostedFixture(wharf, 'bad-input-other', { httpPort: null });
    const blob = randomBlob(10);
    const { uuid } = await repo.connector.startUpload('owner');
    const path = `/v2/${other.name}/owner/blobs/uploads/${uuid}`;
    expectRegistryError(await wharf.http.get(path), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectRegistryError(await wharf.http.put(withQuery(path, { digest: blob.digest }), { headers: OCTETS, body: blob.bytes }), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectRegistryError(await wharf.http.delete(path), 404, 'BLOB_UPLOAD_UNKNOWN');
    // The session is intact in its own repository.
    expect((await repo.connector.http.get(repo.connector.path('owner', `blobs/uploads/${uuid}`))).status).toBe(204);
  });
});

describe('unknown repository on the registry API is 404 NAME_UNKNOWN', () => {
  it('for every kind of request on the main port', async () => {
    const blob = randomBlob(10);
    const digest = unknownDigest();
    const r = 'no-such-repo';
    expectRegistryError(await wharf.http.get(`/v2/${r}/app/manifests/latest`), 404, 'NAME_UNKNOWN');
    expectHeadError(await wharf.http.head(`/v2/${r}/app/manifests/latest`), 404);
    expectRegistryError(await wharf.http.get(`/v2/${r}/app/blobs/${digest}`), 404, 'NAME_UNKNOWN');
    expectRegistryError(await wharf.http.post(`/v2/${r}/app/blobs/uploads/`), 404, 'NAME_UNKNOWN');
    expectRegistryError(
      await wharf.http.post(`/v2/${r}/app/blobs/uploads/?digest=${blob.digest}`, { headers: OCTETS, body: blob.bytes }),
      404,
      'NAME_UNKNOWN',
    );
    expectRegistryError(await wharf.http.put(`/v2/${r}/app/manifests/latest`, { body: imageManifest().bytes }), 404, 'NAME_UNKNOWN');
    expectRegistryError(await wharf.http.get(`/v2/${r}/app/tags/list`), 404, 'NAME_UNKNOWN');
    expectRegistryError(await wharf.http.get(`/repository/${r}/v2/app/manifests/latest`), 404, 'NAME_UNKNOWN');
    await stillWorks();
  });
});

describe('methods and routes the API does not have', () => {
  it('a method a route does not support is 405 UNSUPPORTED with Allow', async () => {
    const res = await repo.connector.http.post(repo.connector.manifestPath('app', 'latest'), { body: '{}' });
    expectRegistryError(res, 405, 'UNSUPPORTED');
    expect(res.header('allow')).toBe('GET, HEAD, PUT, DELETE');
    const blob = await repo.connector.http.put(repo.connector.blobPath('app', unknownDigest()), { body: 'x' });
    expectRegistryError(blob, 405, 'UNSUPPORTED');
    expect(blob.header('allow')).toBe('GET, HEAD, DELETE');
  });

  it('an unknown /v2 path is 404 with a registry error body', async () => {
    const res = await repo.connector.http.get('/v2/app/whatever');
    expect(res.status).toBe(404);
    expect(res.errorCodes().length).toBe(1);
    expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
  });
});

describe('a manifest pushed with a Content-Type that is not a manifest type is 400 MANIFEST_INVALID (as Distribution)', () => {
  it.each([
    ['text/html', 'text/html'],
    ['text/html with a charset', 'text/html; charset=utf-8'],
    ['application/octet-stream', 'application/octet-stream'],
    ['generic JSON', 'application/json'],
    ['a layer media type', MT.ociLayer],
    ['a manifest type other than the body says', MT.dockerManifest],
  ])('%s: refused, nothing stored', async (_what, type) => {
    const m = imageManifest({ mediaType: MT.ociManifest });
    const tag = `t${randomUUID().slice(0, 8)}`;
    await repo.connector.pushBlobs('typed', m.blobs);
    const res = await repo.connector.putManifest('typed', tag, m, type);
    expectRegistryError(res, 400, 'MANIFEST_INVALID');
    expectRegistryError(await repo.connector.getManifest('typed', tag), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await repo.connector.getManifest('typed', m.digest), 404, 'MANIFEST_UNKNOWN');
  });

  it('without a Content-Type the body decides (201), and with its own type too', async () => {
    const m = imageManifest({ mediaType: MT.ociManifest });
    await repo.connector.pushBlobs('typed', m.blobs);
    expect((await repo.connector.putManifest('typed', 'untyped', m.bytes)).status).toBe(201);
    expect((await repo.connector.putManifest('typed', 'typed', m, `${MT.ociManifest}; charset=utf-8`)).status).toBe(201);
  });

  it('a repository with strictContentTypeValidation false accepts a loose Content-Type', async () => {
    const body = { ...hostedBody('loose-types'), storage: { blobStoreName: 'default', strictContentTypeValidation: false, writePolicy: 'ALLOW' } };
    expect((await createHostedRaw(wharf.http, body)).status).toBe(201);
    const loose = new Registry(wharf.http);
    const m = imageManifest({ mediaType: MT.ociManifest });
    await loose.pushBlobs('loose-types/app', m.blobs);
    expect((await loose.putManifest('loose-types/app', '1', m, 'application/octet-stream')).status).toBe(201);
  });
});

describe('TRACE, and headers against content sniffing', () => {
  it('TRACE is 405 UNSUPPORTED on the main port and on a connector, and echoes nothing', async () => {
    for (const [port, path] of [
      [wharf.port, '/v2/'],
      [repo.httpPort!, '/v2/'],
      [wharf.port, `/v2/${repo.name}/app/manifests/latest`],
      [wharf.port, '/service/rest/v1/status'],
      [wharf.port, '/'],
    ] as const) {
      const res = await rawRequest({ port, method: 'TRACE', path, headers: { Authorization: wharf.authorization } });
      expect(res.status, `${port} ${path}`).toBe(405);
      expect(res.text()).not.toContain(wharf.authorization.slice('Basic '.length));
    }
    expectRegistryError(await rawRequest({ port: repo.httpPort!, method: 'TRACE', path: '/v2/', headers: {} }), 405, 'UNSUPPORTED');
  });

  it('every registry answer carries X-Content-Type-Options: nosniff (a pushed blob may be HTML)', async () => {
    const html = blobOf(Buffer.from('<html><script>alert(1)</script></html>'));
    await repo.connector.pushBlob('sniff', html);
    const m = imageManifest();
    await repo.connector.pushImage('sniff', 'v1', m);
    for (const res of [
      await repo.connector.http.get('/v2/'),
      await repo.connector.getBlob('sniff', html.digest),
      await repo.connector.getManifest('sniff', 'v1'),
      await repo.connector.tags('sniff'),
      await repo.connector.getManifest('sniff', 'nope'),
      await wharf.anonymous.get('/v2/'),
      await wharf.http.get(`/v2/${repo.name}/sniff/blobs/${html.digest}`),
    ]) {
      expect(res.header('x-content-type-options'), String(res.status)).toBe('nosniff');
    }
  });
});
