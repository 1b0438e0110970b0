import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MT, type Manifest, imageManifest, randomBlob, unknownDigest } from '@wharf/test-kit';
import { expectHeadError, expectRegistryError, expectServed } from '../support/registry';
import { FORMS, type HostedFixture, hostedFixture, via } from '../support/setup';
import { useTestWharf } from '../support/wharf';

const wharf = useTestWharf();
let repo: HostedFixture;
const IMAGE = 'team/web';
let oci: Manifest;
let docker: Manifest;
let untyped: Manifest;
const big = randomBlob(100_000);

beforeAll(async () => {
  repo = await hostedFixture(wharf, 'pull-hosted');
  oci = imageManifest({ layers: [big, randomBlob(10)] });
  await repo.connector.pushImage(IMAGE, '1.0', oci);
  docker = imageManifest({ mediaType: MT.dockerManifest });
  await repo.connector.pushImage('team/legacy', 'v2', docker);
  // No mediaType field in the JSON: the stored type comes from the Content-Type it was pushed with.
  untyped = imageManifest({ bodyMediaType: null });
  await repo.connector.pushImage('team/untyped', 'latest', untyped);
});

describe('GET /v2/ (API version check)', () => {
  it('answers 200 with the API version header on the main port, on /repository/<repo>/v2/ and on the connector', async () => {
    for (const res of [
      await wharf.http.get('/v2/'),
      await wharf.http.get(`/repository/${repo.name}/v2/`),
      await repo.connector.http.get('/v2/'),
    ]) {
      expect(res.status).toBe(200);
      expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
    }
  });

  it('HEAD /v2/ is 200 without a body', async () => {
    const res = await wharf.http.head('/v2/');
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('answers /v2 without the trailing slash too', async () => {
    const res = await wharf.http.get('/v2');
    expect(res.status).toBe(200);
  });

  it('answers 404 NAME_UNKNOWN for /repository/<unknown>/v2/', async () => {
    expectRegistryError(await wharf.http.get('/repository/no-such-repo/v2/'), 404, 'NAME_UNKNOWN');
  });
});

describe.each(FORMS)('pull through the %s form', (form) => {
  it('GET manifest by tag returns the pushed bytes, the stored Content-Type and Docker-Content-Digest', async () => {
    const { registry, name } = via(repo, form, IMAGE);
    const res = await registry.getManifest(name, '1.0');
    expectServed(res, oci);
    expect(res.header('content-type')).toBe(MT.ociManifest);
    expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('GET manifest by digest returns the same bytes', async () => {
    const { registry, name } = via(repo, form, IMAGE);
    const res = await registry.getManifest(name, oci.digest);
    expect(res.status).toBe(200);
    expect(res.body.equals(oci.bytes)).toBe(true);
    expect(res.header('content-type')).toBe(MT.ociManifest);
    expect(res.header('docker-content-digest')).toBe(oci.digest);
  });

  it('HEAD manifest by tag and by digest: 200, headers, exact Content-Length, no body', async () => {
    const { registry, name } = via(repo, form, IMAGE);
    for (const ref of ['1.0', oci.digest]) {
      const res = await registry.headManifest(name, ref);
      expectServed(res, oci, 'HEAD');
      expect(res.header('content-type')).toBe(MT.ociManifest);
    }
  });

  it('GET blob returns the bytes with Docker-Content-Digest and Content-Length', async () => {
    const { registry, name } = via(repo, form, IMAGE);
    expectServed(await registry.getBlob(name, big.digest), big);
  });

  it('HEAD blob: 200, Docker-Content-Digest, exact Content-Length, no body', async () => {
    const { registry, name } = via(repo, form, IMAGE);
    expectServed(await registry.headBlob(name, big.digest), big, 'HEAD');
  });

  it('unknown tag, unknown digest and unknown blob are 404 with MANIFEST_UNKNOWN / BLOB_UNKNOWN', async () => {
    const { registry, name } = via(repo, form, IMAGE);
    expectRegistryError(await registry.getManifest(name, 'no-such-tag'), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await registry.getManifest(name, unknownDigest()), 404, 'MANIFEST_UNKNOWN');
    expectHeadError(await registry.headManifest(name, 'no-such-tag'), 404);
    expectRegistryError(await registry.getBlob(name, unknownDigest()), 404, 'BLOB_UNKNOWN');
    expectHeadError(await registry.headBlob(name, unknownDigest()), 404);
  });
});

describe('stored Content-Type', () => {
  it('a Docker schema 2 manifest is served as application/vnd.docker.distribution.manifest.v2+json', async () => {
    const res = await repo.connector.getManifest('team/legacy', 'v2');
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toBe(MT.dockerManifest);
    expect(res.body.equals(docker.bytes)).toBe(true);
  });

  it('a manifest without a mediaType field is served with the Content-Type it was pushed with', async () => {
    const res = await repo.main.getManifest(repo.mainName('team/untyped'), 'latest');
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toBe(MT.ociManifest);
    expect(res.body.equals(untyped.bytes)).toBe(true);
  });
});

describe('content is scoped to its image', () => {
  it("another image of the same repository does not serve this image's manifest or blobs", async () => {
    const other = 'team/other';
    await repo.connector.pushImage(other, 'x', imageManifest());
    expectRegistryError(await repo.connector.getManifest(other, oci.digest), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await repo.connector.getManifest(other, '1.0'), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await repo.connector.getBlob(other, big.digest), 404, 'BLOB_UNKNOWN');
  });

  it('an image that was never pushed is 404 for manifests and blobs', async () => {
    expectRegistryError(await repo.connector.getManifest('never/pushed', '1.0'), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await repo.connector.getBlob('never/pushed', big.digest), 404, 'BLOB_UNKNOWN');
  });
});

describe('Range requests on blobs', () => {
  const path = () => repo.connector.blobPath(IMAGE, big.digest);

  it('a full GET advertises Accept-Ranges: bytes', async () => {
    const res = await repo.connector.http.get(path());
    expect(res.status).toBe(200);
    expect(res.header('accept-ranges')).toBe('bytes');
  });

  it('bytes=0-99 is 206 with Content-Range and exactly those bytes', async () => {
    const res = await repo.connector.http.get(path(), { headers: { Range: 'bytes=0-99' } });
    expect(res.status).toBe(206);
    expect(res.header('content-range')).toBe(`bytes 0-99/${big.size}`);
    expect(Number(res.header('content-length'))).toBe(100);
    expect(res.body.equals(big.bytes.subarray(0, 100))).toBe(true);
  });

  it('an open range (bytes=N-) returns the rest of the blob', async () => {
    const res = await repo.connector.http.get(path(), { headers: { Range: 'bytes=99000-' } });
    expect(res.status).toBe(206);
    expect(res.header('content-range')).toBe(`bytes 99000-${big.size - 1}/${big.size}`);
    expect(res.body.equals(big.bytes.subarray(99000))).toBe(true);
  });

  it('a suffix range (bytes=-N) returns the last N bytes', async () => {
    const res = await repo.connector.http.get(path(), { headers: { Range: 'bytes=-10' } });
    expect(res.status).toBe(206);
    expect(res.header('content-range')).toBe(`bytes ${big.size - 10}-${big.size - 1}/${big.size}`);
    expect(res.body.equals(big.bytes.subarray(big.size - 10))).toBe(true);
  });

  it('a range past the end is clamped to the blob', async () => {
    const res = await repo.connector.http.get(path(), { headers: { Range: `bytes=50-${big.size + 5000}` } });
    expect(res.status).toBe(206);
    expect(res.header('content-range')).toBe(`bytes 50-${big.size - 1}/${big.size}`);
    expect(res.body.equals(big.bytes.subarray(50))).toBe(true);
  });

  it('works on the main port too', async () => {
    const res = await repo.main.http.get(repo.main.blobPath(repo.mainName(IMAGE), big.digest), { headers: { Range: 'bytes=10-19' } });
    expect(res.status).toBe(206);
    expect(res.header('content-range')).toBe(`bytes 10-19/${big.size}`);
    expect(res.body.equals(big.bytes.subarray(10, 20))).toBe(true);
  });

  it('an unsatisfiable range is 416 with Content-Range: bytes */<size>', async () => {
    for (const range of [`bytes=${big.size}-`, `bytes=${big.size + 10}-${big.size + 20}`, 'bytes=-0']) {
      const res = await repo.connector.http.get(path(), { headers: { Range: range } });
      expect(res.status, range).toBe(416);
      expect(res.header('content-range'), range).toBe(`bytes */${big.size}`);
      expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
    }
  });

  it('refused ranges leave no file of the blob open (the content is closed before the 416, not at GC)', async () => {
    const openFiles = () => readdirSync('/proc/self/fd').length;
    await repo.connector.http.get(path(), { headers: { Range: `bytes=${big.size}-` } }); // connection warmed up
    const before = openFiles();
    for (let i = 0; i < 40; i += 1) {
      const res = await repo.connector.http.get(path(), { headers: { Range: `bytes=${big.size + i}-` } });
      expect(res.status).toBe(416);
    }
    expect(openFiles()).toBeLessThanOrEqual(before + 2);
  });

  it('the blob is still served whole after the 416s', async () => {
    const res = await repo.connector.getBlob(IMAGE, big.digest);
    expect(res.status).toBe(200);
    expect(res.body.equals(big.bytes)).toBe(true);
  });
});
