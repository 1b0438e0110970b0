import type { ComponentJson, PageJson } from '@wharf/api-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test/support/wait';
import { Gate, type Manifest, imageManifest, randomBlob } from '@wharf/test-kit';
import { REPOSITORIES } from '../support/rest';
import { hostedFixture } from '../support/setup';
import { runTask, setGrace, storedBlobs } from '../support/tasks';
import { useTestWharf } from '../support/wharf';
import { ProxyClient, type Upstream, createProxy, proxyBody, startUpstream } from '../proxy/support/proxy-fixture';

// Proxies and the storage lifecycle, against a real CNCF Distribution upstream: contentMaxAge, the cache
// size limit (eviction by last pull), and a proxy fill in flight while a collection runs.

const wharf = useTestWharf();
let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream('lifecycle');
  for (const task of ['cleanup', 'proxy-eviction']) await setGrace(wharf.http, task, 0);
});

afterAll(async () => {
  await upstream?.close();
});

const isManifestHead = (digest: string) => (r: { reference?: string }) => r.reference === digest;

describe('proxy.contentMaxAge: a manifest cached by digest is confirmed upstream once that old', () => {
  it('0: every pull by digest asks the upstream (HEAD); a manifest gone upstream leaves the cache', async () => {
    // (no auto-block: the outage below would otherwise keep the upstream blocked, and a blocked upstream is not asked)
    const client = await createProxy(wharf, 'cma-zero', { remoteUrl: upstream.faults.url, contentMaxAge: 0, autoBlock: false });
    const image = imageManifest();
    await upstream.direct.pushImage('team/taken-down', 'v1', image);
    expect((await client.getManifest('team/taken-down', image.digest)).status).toBe(200);
    const heads = () => upstream.faults.count('manifest-head', isManifestHead(image.digest));
    expect(heads()).toBe(0);
    expect((await client.getManifest('team/taken-down', image.digest)).status).toBe(200);
    expect(heads()).toBe(1);
    expect(upstream.faults.count('manifest-get', isManifestHead(image.digest))).toBe(1);

    // upstream down: the cached copy is served
    await upstream.faults.stop();
    try {
      expect((await client.getManifest('team/taken-down', image.digest)).status).toBe(200);
    } finally {
      await upstream.faults.start();
    }

    expect((await upstream.direct.http.delete(`/v2/team/taken-down/manifests/${image.digest}`)).status).toBe(202);
    const gone = await client.getManifest('team/taken-down', image.digest);
    expect(gone.status).toBe(404);
    expect(gone.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe('MANIFEST_UNKNOWN');
  });

  it('-1: never asks again', async () => {
    const client = await createProxy(wharf, 'cma-never', { remoteUrl: upstream.faults.url, contentMaxAge: -1 });
    const image = imageManifest();
    await upstream.direct.pushImage('team/kept', 'v1', image);
    for (let i = 0; i < 3; i += 1) expect((await client.getManifest('team/kept', image.digest)).status).toBe(200);
    expect(upstream.faults.count('manifest-head', isManifestHead(image.digest))).toBe(0);
  });
});

describe('proxy.maxCacheSizeBytes: eviction keeps the most recently pulled images', () => {
  const PROXY = 'capped';
  const images: Record<string, Manifest> = {};
  const sizeOf = (m: Manifest) => m.size + m.blobs.reduce((n, b) => n + b.size, 0);

  beforeAll(async () => {
    for (const name of ['a', 'b', 'c']) {
      images[name] = imageManifest({ layers: [randomBlob(100_000)] });
      await upstream.direct.pushImage(`team/${name}`, 'v1', images[name]!);
    }
    await createProxy(wharf, PROXY, { remoteUrl: upstream.faults.url });
  });

  async function pull(client: ProxyClient, name: string): Promise<void> {
    const manifest = await client.getManifest(`team/${name}`, 'v1');
    expect(manifest.status).toBe(200);
    for (const blob of images[name]!.blobs) {
      const res = await client.getBlob(`team/${name}`, blob.digest);
      expect(res.status).toBe(200);
      expect(res.body.equals(blob.bytes)).toBe(true);
    }
    // the next pull is later by a clear margin (last-pulled times are compared)
    await new Promise((r) => setTimeout(r, 20));
  }

  it('evicts the least recently pulled image once over the limit; hosted content is untouched; the rest is still served from the cache', async () => {
    const hosted = await hostedFixture(wharf, 'capped-neighbour', { httpPort: null });
    const own = imageManifest({ layers: [randomBlob(50_000)] });
    await hosted.prefixed.pushImage('app', 'v1', own);

    const client = new ProxyClient(wharf, PROXY);
    for (const name of ['a', 'b', 'c', 'a']) await pull(client, name);
    // a and c fit, b (pulled least recently) does not
    const limit = sizeOf(images.a!) + sizeOf(images.c!) + 10;
    const body = proxyBody(PROXY, { remoteUrl: upstream.faults.url });
    (body.proxy as Record<string, unknown>).maxCacheSizeBytes = limit;
    const updated = await wharf.http.sendJson('PUT', `${REPOSITORIES}/docker/proxy/${PROXY}`, body);
    expect(updated.status, updated.text()).toBe(204);
    expect((await wharf.http.get(`${REPOSITORIES}/docker/proxy/${PROXY}`)).json<{ proxy: { maxCacheSizeBytes: number } }>().proxy.maxCacheSizeBytes).toBe(limit);

    const task = await runTask(wharf.http, 'proxy-eviction');
    expect(task.lastRunResult, JSON.stringify(task)).toBe('OK');
    expect(task.lastRunSummary).toMatchObject({ proxies: 1, tagsEvicted: 1, manifestsEvicted: 1 });

    const cached = (await wharf.http.get(`/service/rest/v1/components?repository=${PROXY}`)).json<PageJson<ComponentJson>>();
    expect(cached.items.map((c) => c.name).sort()).toEqual(['team/a', 'team/c']);
    const disk = await storedBlobs(wharf.dataDir);
    for (const blob of images.b!.blobs) expect(disk.digests.has(blob.digest)).toBe(false);
    for (const name of ['a', 'c']) for (const blob of images[name]!.blobs) expect(disk.digests.has(blob.digest)).toBe(true);
    for (const blob of own.blobs) expect(disk.digests.has(blob.digest)).toBe(true);
    expect((await hosted.prefixed.getManifest('app', 'v1')).status).toBe(200);

    const before = upstream.faults.counts();
    await pull(client, 'a');
    await pull(client, 'c');
    expect(upstream.faults.counts()['blob-get']).toBe(before['blob-get']);
    // b comes back from upstream on its next pull
    await pull(client, 'b');
    expect(upstream.faults.counts()['blob-get']).toBe(before['blob-get'] + images.b!.blobs.length);
  });

  it('refuses a limit that is not a positive whole number', async () => {
    const body = proxyBody(PROXY, { remoteUrl: upstream.faults.url });
    (body.proxy as Record<string, unknown>).maxCacheSizeBytes = -5;
    const res = await wharf.http.sendJson('PUT', `${REPOSITORIES}/docker/proxy/${PROXY}`, body);
    expect(res.status).toBe(400);
    expect(res.text()).toContain('proxy.maxCacheSizeBytes');
  });
});

describe('a proxy fill in flight while a collection runs', () => {
  it('keeps the blob the fill has claimed, although nothing references it yet, and the fill completes with every byte', async () => {
    // The same bytes were stored before by a hosted repository and are garbage now: exactly the blob a
    // collection would delete while the fill, finding it stored, relies on it.
    const hosted = await hostedFixture(wharf, 'fill-race', { httpPort: null });
    const layer = randomBlob(400_000);
    const image = imageManifest({ layers: [layer] });
    await hosted.prefixed.pushImage('app', 'v1', image);
    expect((await hosted.prefixed.http.delete(`/repository/fill-race/v2/app/manifests/${image.digest}`)).status).toBe(202);
    await upstream.direct.pushImage('team/fill', 'v1', image);
    await createProxy(wharf, 'fill-proxy', { remoteUrl: upstream.faults.url });

    const gate = new Gate();
    upstream.faults.holdBlobGets = gate;
    const client = new ProxyClient(wharf, 'fill-proxy');
    const pulling = client.getBlob('team/fill', layer.digest);
    await upstream.faults.waitForRequest((r) => r.kind === 'blob-get' && r.reference === layer.digest);
    const task = await runTask(wharf.http, 'cleanup');
    expect(task.lastRunResult).toBe('OK');
    expect((await storedBlobs(wharf.dataDir)).digests.has(layer.digest)).toBe(true);
    // what no fill claims is collected meanwhile
    expect((await storedBlobs(wharf.dataDir)).digests.has(image.digest)).toBe(false);
    gate.open();
    upstream.faults.holdBlobGets = null;
    const res = await pulling;
    expect(res.status).toBe(200);
    expect(res.body.equals(layer.bytes)).toBe(true);
    // Linked once a HEAD is answered from the cache (before that, the proxy asks the upstream).
    const upstreamAsked = () => upstream.faults.count('blob-head', (r) => r.reference === layer.digest) + upstream.faults.count('blob-get', (r) => r.reference === layer.digest);
    await waitFor('the fill to be linked', async () => {
      const before = upstreamAsked();
      return (await client.headBlob('team/fill', layer.digest)).status === 200 && upstreamAsked() === before;
    });
    const again = await client.getBlob('team/fill', layer.digest);
    expect(again.body.equals(layer.bytes)).toBe(true);
    expect(upstream.faults.count('blob-get', (r) => r.reference === layer.digest)).toBe(1);
    // No manifest of the proxy uses it, so once the fill is linked and released a later collection may free it
    // (docs/garbage-collection.md); what matters here is that none did while the fill held it.
  });
});
