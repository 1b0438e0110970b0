import { beforeAll, describe, expect, it } from 'vitest';
import {
  MT,
  type Manifest,
  descriptorOf,
  imageManifest,
  indexManifest,
  manifestDescriptor,
  manifestOfSize,
  randomBlob,
  randomConfig,
  sha256,
  unknownDigest,
} from '@wharf/test-kit';
import { rawRequest } from '../support/http';
import { expectRegistryError, pathOf } from '../support/registry';
import { FORMS, type HostedFixture, hostedFixture, via } from '../support/setup';
import { useTestWharf } from '../support/wharf';

const wharf = useTestWharf();
let repo: HostedFixture;
const MAX = 4 * 1024 * 1024;

beforeAll(async () => {
  repo = await hostedFixture(wharf, 'manifests-hosted');
});

describe.each(FORMS)('PUT manifest through the %s form', (form) => {
  it('by tag: 201 with Location (by digest) and Docker-Content-Digest; pullable by tag and digest', async () => {
    const { registry, name } = via(repo, form, `put/${form}`);
    const m = imageManifest();
    await registry.pushBlobs(name, m.blobs);
    const res = await registry.putManifest(name, 'v1', m);
    expect(res.status, res.text()).toBe(201);
    expect(res.header('docker-content-digest')).toBe(m.digest);
    expect(pathOf(res.header('location'))).toBe(registry.manifestPath(name, m.digest));
    expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
    expect(res.header('oci-subject')).toBeNull();

    const byLocation = await registry.http.get(res.header('location')!);
    expect(byLocation.status).toBe(200);
    expect(byLocation.body.equals(m.bytes)).toBe(true);
    const byTag = await registry.getManifest(name, 'v1');
    expect(byTag.body.equals(m.bytes)).toBe(true);
  });

  it('by digest: 201, pullable by digest, and no tag is created', async () => {
    const { registry, name } = via(repo, form, `bydigest/${form}`);
    const m = imageManifest({ mediaType: MT.dockerManifest });
    await registry.pushBlobs(name, m.blobs);
    const res = await registry.putManifest(name, m.digest, m);
    expect(res.status, res.text()).toBe(201);
    expect(res.header('docker-content-digest')).toBe(m.digest);
    expect(pathOf(res.header('location'))).toBe(registry.manifestPath(name, m.digest));
    const get = await registry.getManifest(name, m.digest);
    expect(get.status).toBe(200);
    expect(get.body.equals(m.bytes)).toBe(true);
    expect(get.header('content-type')).toBe(MT.dockerManifest);
    const tags = await registry.tags(name);
    expect(tags.status).toBe(200);
    expect(tags.json()).toEqual({ name, tags: [] });
  });
});

describe('tags', () => {
  it('one manifest may carry several tags', async () => {
    const m = imageManifest();
    await repo.connector.pushImage('multi', 'a', m);
    expect((await repo.connector.putManifest('multi', 'b', m)).status).toBe(201);
    for (const tag of ['a', 'b']) {
      const res = await repo.connector.getManifest('multi', tag);
      expect(res.header('docker-content-digest')).toBe(m.digest);
    }
  });

  it('with write policy ALLOW a tag can be moved; the old manifest stays pullable by digest', async () => {
    const m1 = imageManifest();
    const m2 = imageManifest();
    await repo.connector.pushImage('moving', 'latest', m1);
    await repo.connector.pushImage('moving', 'latest', m2);
    const byTag = await repo.connector.getManifest('moving', 'latest');
    expect(byTag.body.equals(m2.bytes)).toBe(true);
    const old = await repo.connector.getManifest('moving', m1.digest);
    expect(old.status).toBe(200);
    expect(old.body.equals(m1.bytes)).toBe(true);
  });

  it('tags are case sensitive and may use the whole grammar ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})', async () => {
    const m = imageManifest();
    await repo.connector.pushBlobs('grammar', m.blobs);
    const longest = `_${'A1.b-'.repeat(25)}xy`;
    expect(longest.length).toBe(128);
    for (const tag of ['V1.0', 'v1.0', longest]) {
      const res = await repo.connector.putManifest('grammar', tag, m);
      expect(res.status, tag).toBe(201);
    }
    expect((await repo.connector.getManifest('grammar', longest)).status).toBe(200);
    expect((await repo.connector.tags('grammar')).json<{ tags: string[] }>().tags).toEqual(['V1.0', longest, 'v1.0']);
  });

  it('an invalid tag in the URL is 400 TAG_INVALID and stores nothing', async () => {
    const m = imageManifest();
    await repo.connector.pushBlobs('badtag', m.blobs);
    for (const tag of ['-leading-dash', '.dot', 'x'.repeat(129)]) {
      expectRegistryError(await repo.connector.putManifest('badtag', tag, m), 400, 'TAG_INVALID');
    }
    expectRegistryError(await repo.connector.getManifest('badtag', m.digest), 404, 'MANIFEST_UNKNOWN');
  });
});

describe('indexes', () => {
  it('an OCI index over pushed children is accepted and served with its own Content-Type', async () => {
    const { index, put } = await repo.connector.pushPlatformIndex('multiarch', '2.0');
    expect(put.header('docker-content-digest')).toBe(index.digest);
    const get = await repo.connector.getManifest('multiarch', '2.0');
    expect(get.header('content-type')).toBe(MT.ociIndex);
    expect(get.body.equals(index.bytes)).toBe(true);
  });

  it('a Docker manifest list is accepted and served as such', async () => {
    const child = imageManifest({ mediaType: MT.dockerManifest });
    await repo.connector.pushImage('dockerlist', child.digest, child);
    const list = indexManifest([manifestDescriptor(child, { platform: { architecture: 'amd64', os: 'linux' } })], { mediaType: MT.dockerList });
    expect((await repo.connector.putManifest('dockerlist', 'latest', list)).status).toBe(201);
    const get = await repo.connector.getManifest('dockerlist', 'latest');
    expect(get.header('content-type')).toBe(MT.dockerList);
    expect(get.body.equals(list.bytes)).toBe(true);
  });

  it('an index whose child manifest is missing is 404 MANIFEST_BLOB_UNKNOWN and is not stored', async () => {
    const present = imageManifest();
    await repo.connector.pushImage('partial-index', present.digest, present);
    const missing = imageManifest();
    await repo.connector.pushBlobs('partial-index', missing.blobs); // its blobs, but not the manifest itself
    const index = indexManifest([manifestDescriptor(present), manifestDescriptor(missing)]);
    const res = await repo.connector.putManifest('partial-index', 'latest', index);
    expectRegistryError(res, 404, 'MANIFEST_BLOB_UNKNOWN');
    expect(res.text()).toContain(missing.digest);
    expectRegistryError(await repo.connector.getManifest('partial-index', 'latest'), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await repo.connector.getManifest('partial-index', index.digest), 404, 'MANIFEST_UNKNOWN');
  });
});

describe('MANIFEST_BLOB_UNKNOWN', () => {
  it('an unknown layer is refused and nothing is stored', async () => {
    const m = imageManifest();
    await repo.connector.pushBlobs('missing-layer', m.blobs.slice(0, -1)); // config + all layers but the last
    const res = await repo.connector.putManifest('missing-layer', 'v1', m);
    expectRegistryError(res, 404, 'MANIFEST_BLOB_UNKNOWN');
    expect(res.text()).toContain(m.blobs[m.blobs.length - 1]!.digest);
    expectRegistryError(await repo.connector.getManifest('missing-layer', 'v1'), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await repo.connector.getManifest('missing-layer', m.digest), 404, 'MANIFEST_UNKNOWN');
  });

  it('an unknown config blob is refused', async () => {
    const m = imageManifest();
    await repo.connector.pushBlobs('missing-config', m.blobs.slice(1));
    expectRegistryError(await repo.connector.putManifest('missing-config', 'v1', m), 404, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('a blob pushed under another name does not count', async () => {
    const m = imageManifest();
    await repo.connector.pushBlobs('elsewhere', m.blobs);
    expectRegistryError(await repo.connector.putManifest('not-here', 'v1', m), 404, 'MANIFEST_BLOB_UNKNOWN');
    expectRegistryError(await repo.connector.getManifest('not-here', 'v1'), 404, 'MANIFEST_UNKNOWN');
  });

  it('a non-distributable layer (with urls) need not be pushed', async () => {
    const config = randomConfig();
    const foreign = randomBlob(64);
    const body = {
      schemaVersion: 2,
      mediaType: MT.dockerManifest,
      config: descriptorOf(MT.dockerConfig, config),
      layers: [{ ...descriptorOf('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', foreign), urls: ['https://example.org/layer'] }],
    };
    const bytes = Buffer.from(JSON.stringify(body));
    await repo.connector.pushBlob('foreign', config);
    const res = await repo.connector.putManifest('foreign', 'ltsc', bytes, MT.dockerManifest);
    expect(res.status, res.text()).toBe(201);
    expect(res.header('docker-content-digest')).toBe(sha256(bytes));
  });
});

describe('manifest size limit (4 MiB)', () => {
  /** A manifest of exactly `size` bytes whose config and layer are pushed. */
  async function manifestWithBlobs(size: number): Promise<Manifest> {
    const config = randomConfig();
    const layer = randomBlob(100);
    await repo.connector.pushBlobs('size', [config, layer]);
    return manifestOfSize(size, config, [layer]);
  }

  it('a manifest of exactly 4 MiB is accepted and returned byte for byte', async () => {
    const m = await manifestWithBlobs(MAX);
    const res = await repo.connector.putManifest('size', 'max', m);
    expect(res.status, res.text()).toBe(201);
    const get = await repo.connector.getManifest('size', 'max');
    expect(get.status).toBe(200);
    expect(get.body.length).toBe(MAX);
    expect(sha256(get.body)).toBe(m.digest);
  });

  it.each([
    ['one byte more is 413 with MANIFEST_INVALID (Content-Length declared), nothing stored, server still up', MAX + 1, 'too-big', true],
    ['an oversize manifest sent with chunked transfer encoding is 413 MANIFEST_INVALID too', MAX + 4096, 'too-big-chunked', false],
  ])('%s', async (_case, size, tag, declareLength) => {
    const m = await manifestWithBlobs(size);
    const pieces: Buffer[] = [];
    for (let i = 0; i < m.bytes.length; i += 256 * 1024) pieces.push(m.bytes.subarray(i, i + 256 * 1024));
    const res = await rawRequest({
      port: repo.httpPort!,
      method: 'PUT',
      path: `/v2/size/manifests/${tag}`,
      headers: { Authorization: wharf.authorization, 'Content-Type': MT.ociManifest, ...(declareLength ? { 'Content-Length': m.bytes.length } : {}) },
      body: pieces,
    });
    expectRegistryError(res, 413, 'MANIFEST_INVALID');
    expectRegistryError(await repo.connector.getManifest('size', tag), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await repo.connector.getManifest('size', m.digest), 404, 'MANIFEST_UNKNOWN');
    // The server is still up and takes a normal manifest.
    await repo.connector.pushImage('size', `after-${tag}`, imageManifest());
  });
});

describe('invalid manifests are 400 MANIFEST_INVALID and not stored', () => {
  it('schema 1 (signed media type) is refused', async () => {
    const body = Buffer.from(
      JSON.stringify({ schemaVersion: 1, name: 'schema1', tag: 'v1', architecture: 'amd64', fsLayers: [{ blobSum: unknownDigest() }], history: [], signatures: [] }),
    );
    expectRegistryError(await repo.connector.putManifest('schema1', 'v1', body, MT.schema1Signed), 400, 'MANIFEST_INVALID');
    expectRegistryError(await repo.connector.putManifest('schema1', 'v1', body, MT.schema1), 400, 'MANIFEST_INVALID');
    expectRegistryError(await repo.connector.getManifest('schema1', 'v1'), 404, 'MANIFEST_UNKNOWN');
  });

  it('a schemaVersion 1 body is refused whatever the Content-Type', async () => {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'schema1', tag: 'v2', fsLayers: [], history: [] }));
    expectRegistryError(await repo.connector.putManifest('schema1', 'v2', body, 'application/json'), 400, 'MANIFEST_INVALID');
    expectRegistryError(await repo.connector.getManifest('schema1', 'v2'), 404, 'MANIFEST_UNKNOWN');
  });

  it('bodies that are not a manifest are refused', async () => {
    const m = imageManifest();
    await repo.connector.pushBlobs('invalid', m.blobs);
    const parsed = JSON.parse(m.bytes.toString()) as Record<string, unknown>;
    const cases: [string, Buffer, string][] = [
      ['not JSON', Buffer.from('{"schemaVersion": 2,'), MT.ociManifest],
      ['a JSON array', Buffer.from('[]'), MT.ociManifest],
      ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), MT.ociManifest],
      ['no config', Buffer.from(JSON.stringify({ ...parsed, config: undefined })), MT.ociManifest],
      ['schemaVersion 3', Buffer.from(JSON.stringify({ ...parsed, schemaVersion: 3 })), MT.ociManifest],
      ['layers not an array', Buffer.from(JSON.stringify({ ...parsed, layers: {} })), MT.ociManifest],
      ['a malformed layer digest', Buffer.from(JSON.stringify({ ...parsed, layers: [{ mediaType: MT.ociLayer, digest: 'sha256:xyz', size: 1 }] })), MT.ociManifest],
      ['a negative size', Buffer.from(JSON.stringify({ ...parsed, layers: [{ mediaType: MT.ociLayer, digest: m.blobs[1]!.digest, size: -1 }] })), MT.ociManifest],
      ['Content-Type disagreeing with mediaType', m.bytes, MT.dockerManifest],
      ['an image manifest that also has manifests', Buffer.from(JSON.stringify({ ...parsed, manifests: [] })), MT.ociManifest],
    ];
    for (const [what, bytes, type] of cases) {
      const res = await repo.connector.putManifest('invalid', 'v1', bytes, type);
      expect(res.status, what).toBe(400);
      expect(res.errorCodes(), what).toEqual(['MANIFEST_INVALID']);
    }
    expectRegistryError(await repo.connector.getManifest('invalid', 'v1'), 404, 'MANIFEST_UNKNOWN');
  });

  it('PUT by a digest that does not match the body is 400 DIGEST_INVALID and stores nothing', async () => {
    const m = imageManifest();
    await repo.connector.pushBlobs('wrongdigest', m.blobs);
    const claimed = unknownDigest();
    expectRegistryError(await repo.connector.putManifest('wrongdigest', claimed, m), 400, 'DIGEST_INVALID');
    expectRegistryError(await repo.connector.getManifest('wrongdigest', claimed), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await repo.connector.getManifest('wrongdigest', m.digest), 404, 'MANIFEST_UNKNOWN');
    // The same manifest under its true digest is fine.
    expect((await repo.connector.putManifest('wrongdigest', m.digest, m)).status).toBe(201);
  });
});
