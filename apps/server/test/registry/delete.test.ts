import { beforeAll, describe, expect, it } from 'vitest';
import { imageManifest, randomBlob, unknownDigest } from '@wharf/test-kit';
import { expectHeadError, expectRegistryError } from '../support/registry';
import { FORMS, type HostedFixture, hostedFixture, via } from '../support/setup';
import { useTestWharf } from '../support/wharf';

const wharf = useTestWharf();
let repo: HostedFixture;

beforeAll(async () => {
  repo = await hostedFixture(wharf, 'delete-hosted');
});

describe.each(FORMS)('DELETE manifest by digest through the %s form', (form) => {
  it('is 202; the manifest and every tag pointing to it are gone, other tags stay', async () => {
    const { registry, name } = via(repo, form, `del-manifest/${form}`);
    const doomed = imageManifest();
    const kept = imageManifest();
    await registry.pushImage(name, 'a', doomed);
    expect((await registry.putManifest(name, 'b', doomed)).status).toBe(201);
    await registry.pushImage(name, 'keep', kept);
    // Warm any cache first: deletion must not leave a stale answer behind.
    expect((await registry.getManifest(name, 'a')).status).toBe(200);
    expect((await registry.getManifest(name, doomed.digest)).status).toBe(200);

    const del = await registry.http.delete(registry.manifestPath(name, doomed.digest));
    expect(del.status, del.text()).toBe(202);
    expect(del.header('docker-distribution-api-version')).toBe('registry/2.0');

    expectRegistryError(await registry.getManifest(name, doomed.digest), 404, 'MANIFEST_UNKNOWN');
    expectHeadError(await registry.headManifest(name, doomed.digest), 404);
    for (const tag of ['a', 'b']) expectRegistryError(await registry.getManifest(name, tag), 404, 'MANIFEST_UNKNOWN');
    expect((await registry.tags(name)).json()).toEqual({ name, tags: ['keep'] });
    const still = await registry.getManifest(name, 'keep');
    expect(still.status).toBe(200);
    expect(still.body.equals(kept.bytes)).toBe(true);
  });
});

describe('DELETE manifest', () => {
  it('an unknown digest is 404 MANIFEST_UNKNOWN', async () => {
    expectRegistryError(await repo.connector.http.delete(repo.connector.manifestPath('del-manifest/x', unknownDigest())), 404, 'MANIFEST_UNKNOWN');
  });

  it('deleting twice: the second is 404 MANIFEST_UNKNOWN', async () => {
    const m = imageManifest();
    await repo.connector.pushImage('twice', 'v', m);
    expect((await repo.connector.http.delete(repo.connector.manifestPath('twice', m.digest))).status).toBe(202);
    expectRegistryError(await repo.connector.http.delete(repo.connector.manifestPath('twice', m.digest)), 404, 'MANIFEST_UNKNOWN');
  });

  it('the manifest can be pushed again after deletion', async () => {
    const m = imageManifest();
    await repo.connector.pushImage('again', 'v', m);
    expect((await repo.connector.http.delete(repo.connector.manifestPath('again', m.digest))).status).toBe(202);
    expect((await repo.connector.putManifest('again', 'v', m)).status).toBe(201);
    expect((await repo.connector.getManifest('again', 'v')).body.equals(m.bytes)).toBe(true);
  });

  it('in an unknown repository is 404 NAME_UNKNOWN', async () => {
    expectRegistryError(await wharf.http.delete(`/v2/no-such-repo/img/manifests/${unknownDigest()}`), 404, 'NAME_UNKNOWN');
  });
});

describe('DELETE tag', () => {
  it('is 202 and removes only that tag; the manifest stays pullable by digest and other tags', async () => {
    const m = imageManifest();
    await repo.connector.pushImage('del-tag', 'one', m);
    expect((await repo.connector.putManifest('del-tag', 'two', m)).status).toBe(201);
    expect((await repo.connector.getManifest('del-tag', 'one')).status).toBe(200);

    const del = await repo.connector.http.delete(repo.connector.manifestPath('del-tag', 'one'));
    expect(del.status, del.text()).toBe(202);

    expectRegistryError(await repo.connector.getManifest('del-tag', 'one'), 404, 'MANIFEST_UNKNOWN');
    expect((await repo.connector.getManifest('del-tag', 'two')).body.equals(m.bytes)).toBe(true);
    expect((await repo.connector.getManifest('del-tag', m.digest)).body.equals(m.bytes)).toBe(true);
    expect((await repo.connector.tags('del-tag')).json()).toEqual({ name: 'del-tag', tags: ['two'] });
  });

  it('works on the main port', async () => {
    const name = repo.mainName('del-tag/main');
    const m = imageManifest();
    await repo.main.pushImage(name, 'x', m);
    expect((await repo.main.http.delete(repo.main.manifestPath(name, 'x'))).status).toBe(202);
    expectRegistryError(await repo.main.getManifest(name, 'x'), 404, 'MANIFEST_UNKNOWN');
  });

  it('an unknown tag is 404 MANIFEST_UNKNOWN', async () => {
    expectRegistryError(await repo.connector.http.delete(repo.connector.manifestPath('del-tag', 'never')), 404, 'MANIFEST_UNKNOWN');
  });
});

describe('DELETE blob', () => {
  it('is 202; the blob is then 404 BLOB_UNKNOWN for GET and HEAD', async () => {
    const blob = randomBlob(3000);
    await repo.connector.pushBlob('del-blob', blob);
    expect((await repo.connector.headBlob('del-blob', blob.digest)).status).toBe(200);
    const del = await repo.connector.http.delete(repo.connector.blobPath('del-blob', blob.digest));
    expect(del.status, del.text()).toBe(202);
    expect(del.header('docker-distribution-api-version')).toBe('registry/2.0');
    expectRegistryError(await repo.connector.getBlob('del-blob', blob.digest), 404, 'BLOB_UNKNOWN');
    expectHeadError(await repo.connector.headBlob('del-blob', blob.digest), 404);
  });

  it('only unlinks it from that image: another image holding the same blob still serves it', async () => {
    const blob = randomBlob(512);
    await repo.connector.pushBlob('del-blob/a', blob);
    await repo.connector.pushBlob('del-blob/b', blob);
    expect((await repo.connector.http.delete(repo.connector.blobPath('del-blob/a', blob.digest))).status).toBe(202);
    expectRegistryError(await repo.connector.getBlob('del-blob/a', blob.digest), 404, 'BLOB_UNKNOWN');
    const other = await repo.connector.getBlob('del-blob/b', blob.digest);
    expect(other.status).toBe(200);
    expect(other.body.equals(blob.bytes)).toBe(true);
  });

  it('an unknown blob is 404 BLOB_UNKNOWN', async () => {
    expectRegistryError(await repo.connector.http.delete(repo.connector.blobPath('del-blob', unknownDigest())), 404, 'BLOB_UNKNOWN');
  });

  it('a malformed digest is 400 DIGEST_INVALID', async () => {
    expectRegistryError(await repo.connector.http.delete(repo.connector.blobPath('del-blob', 'sha256:nothex')), 400, 'DIGEST_INVALID');
  });

  it('a deleted layer can no longer back a new manifest (MANIFEST_BLOB_UNKNOWN) until pushed again', async () => {
    const m = imageManifest();
    await repo.connector.pushBlobs('del-blob/m', m.blobs);
    const layer = m.blobs[1]!;
    expect((await repo.connector.http.delete(repo.connector.blobPath('del-blob/m', layer.digest))).status).toBe(202);
    expectRegistryError(await repo.connector.putManifest('del-blob/m', 'v', m), 404, 'MANIFEST_BLOB_UNKNOWN');
    await repo.connector.pushBlob('del-blob/m', layer);
    expect((await repo.connector.putManifest('del-blob/m', 'v', m)).status).toBe(201);
  });
});
