import { beforeAll, describe, expect, it } from 'vitest';
import { imageManifest, randomBlob } from '@wharf/test-kit';
import { expectRegistryError, withQuery } from '../support/registry';
import { updateHosted } from '../support/rest';
import { type HostedFixture, hostedFixture } from '../support/setup';
import { useTestWharf } from '../support/wharf';

const wharf = useTestWharf();

describe('ALLOW_ONCE', () => {
  let repo: HostedFixture;
  beforeAll(async () => {
    repo = await hostedFixture(wharf, 'once', { writePolicy: 'ALLOW_ONCE' });
  });

  it('a first push of a tag is 201', async () => {
    await repo.connector.pushImage('app', '1.0', imageManifest());
  });

  it('re-pushing the same manifest to the same tag is accepted', async () => {
    const m = imageManifest();
    await repo.connector.pushImage('app', '2.0', m);
    const again = await repo.connector.putManifest('app', '2.0', m);
    expect(again.status, again.text()).toBe(201);
    expect(again.header('docker-content-digest')).toBe(m.digest);
  });

  it('a different manifest to an existing tag is 403 DENIED and the tag keeps its manifest', async () => {
    const original = imageManifest();
    await repo.connector.pushImage('app', '3.0', original);
    const other = imageManifest();
    await repo.connector.pushBlobs('app', other.blobs);
    expectRegistryError(await repo.connector.putManifest('app', '3.0', other), 403, 'DENIED');
    expectRegistryError(await repo.main.putManifest(repo.mainName('app'), '3.0', other), 403, 'DENIED');
    const get = await repo.connector.getManifest('app', '3.0');
    expect(get.header('docker-content-digest')).toBe(original.digest);
    expect(get.body.equals(original.bytes)).toBe(true);
  });

  it('the same manifest may get new tags, and be pushed by digest', async () => {
    const m = imageManifest();
    await repo.connector.pushImage('app', '4.0', m);
    expect((await repo.connector.putManifest('app', '4.0-alias', m)).status).toBe(201);
    expect((await repo.connector.putManifest('app', m.digest, m)).status).toBe(201);
  });

  it('blobs can be pushed (and pushed again)', async () => {
    const blob = randomBlob(100);
    await repo.connector.pushBlob('app', blob);
    await repo.connector.pushBlob('app', blob);
  });

  it('latest is immutable too unless latestPolicy is set', async () => {
    await repo.connector.pushImage('app', 'latest', imageManifest());
    const next = imageManifest();
    await repo.connector.pushBlobs('app', next.blobs);
    expectRegistryError(await repo.connector.putManifest('app', 'latest', next), 403, 'DENIED');
  });

  it('with latestPolicy, latest may be overwritten but other tags may not', async () => {
    const lp = await hostedFixture(wharf, 'once-latest', { writePolicy: 'ALLOW_ONCE', latestPolicy: true });
    await lp.connector.pushImage('app', 'latest', imageManifest());
    await lp.connector.pushImage('app', '1.0', imageManifest());
    const next = imageManifest();
    await lp.connector.pushBlobs('app', next.blobs);
    expect((await lp.connector.putManifest('app', 'latest', next)).status).toBe(201);
    expect((await lp.connector.getManifest('app', 'latest')).header('docker-content-digest')).toBe(next.digest);
    expectRegistryError(await lp.connector.putManifest('app', '1.0', next), 403, 'DENIED');
  });
});

describe('DENY', () => {
  let repo: HostedFixture;
  beforeAll(async () => {
    repo = await hostedFixture(wharf, 'readonly', { writePolicy: 'DENY' });
  });

  it('starting an upload is 403 DENIED', async () => {
    expectRegistryError(await repo.connector.http.post(repo.connector.uploadsPath('app')), 403, 'DENIED');
    expectRegistryError(await repo.main.http.post(repo.main.uploadsPath(repo.mainName('app'))), 403, 'DENIED');
  });

  it('a single-request upload is 403 DENIED and stores nothing', async () => {
    const blob = randomBlob(100);
    const res = await repo.connector.http.post(repo.connector.uploadsPath('app', `?digest=${blob.digest}`), {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: blob.bytes,
    });
    expectRegistryError(res, 403, 'DENIED');
    expectRegistryError(await repo.connector.getBlob('app', blob.digest), 404, 'BLOB_UNKNOWN');
  });

  it('a manifest push is 403 DENIED', async () => {
    expectRegistryError(await repo.connector.putManifest('app', 'v1', imageManifest()), 403, 'DENIED');
  });
});

describe('switching a repository to DENY with PUT', () => {
  it('keeps its content pullable, and refuses pushes, mounts and deletes with DENIED', async () => {
    const repo = await hostedFixture(wharf, 'freeze');
    const m = imageManifest();
    await repo.connector.pushImage('app', 'v1', m);
    const { location } = await repo.connector.startUpload('app');

    const update = await updateHosted(wharf.http, 'freeze', { httpPort: repo.httpPort, writePolicy: 'DENY' });
    expect(update.status, update.text()).toBe(204);

    const pulled = await repo.connector.getManifest('app', 'v1');
    expect(pulled.status).toBe(200);
    expect(pulled.body.equals(m.bytes)).toBe(true);
    expect((await repo.connector.getBlob('app', m.blobs[1]!.digest)).body.equals(m.blobs[1]!.bytes)).toBe(true);

    const blob = randomBlob(50);
    expectRegistryError(await repo.connector.http.post(repo.connector.uploadsPath('app')), 403, 'DENIED');
    expectRegistryError(
      await repo.connector.http.put(withQuery(location, { digest: blob.digest }), { headers: { 'Content-Type': 'application/octet-stream' }, body: blob.bytes }),
      403,
      'DENIED',
    );
    expectRegistryError(await repo.connector.http.post(repo.connector.uploadsPath('copy', `?mount=${m.blobs[1]!.digest}&from=app`)), 403, 'DENIED');
    expectRegistryError(await repo.connector.putManifest('app', 'v2', m), 403, 'DENIED');
    expectRegistryError(await repo.connector.http.delete(repo.connector.manifestPath('app', 'v1')), 403, 'DENIED');
    expectRegistryError(await repo.connector.http.delete(repo.connector.manifestPath('app', m.digest)), 403, 'DENIED');
    expectRegistryError(await repo.connector.http.delete(repo.connector.blobPath('app', m.blobs[1]!.digest)), 403, 'DENIED');
    expectRegistryError(await repo.connector.getBlob('app', blob.digest), 404, 'BLOB_UNKNOWN');
    expect((await repo.connector.getManifest('app', 'v1')).status).toBe(200);

    // Back to ALLOW: pushes work again.
    expect((await updateHosted(wharf.http, 'freeze', { httpPort: repo.httpPort, writePolicy: 'ALLOW' })).status).toBe(204);
    await repo.connector.pushImage('app', 'v2', imageManifest());
  });
});
