import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Manifest, UpstreamRegistry, collect, imageManifest, randomBlob, unknownDigest } from '@wharf/test-kit';
import { describeReadContract } from '../../test/read-contract';
import { type MemoryProxies, openProxyHarness, proxiesOnMemoryPorts } from '../../test/proxy-harness';
import { distributionAvailable } from '../../test/upstream/distribution';
import type { ProxyRepository } from './proxy-repository';

// A proxy serves what its upstream (a real Distribution here) has, cold or cached, as any repository does.
if (distributionAvailable()) {
  describeReadContract('ProxyRepository (CNCF Distribution upstream, FileBlobStore, in-memory ports)', async () => {
    const harness = await openProxyHarness();
    return { repository: harness.repository(), seed: harness.seed, cleanup: harness.cleanup };
  });
}

// What makes a proxy a cache, on the in-memory ports in front of a fake upstream that counts what it is asked.
describe('ProxyRepository as a cache (in-memory ports, fake upstream)', () => {
  let upstream: UpstreamRegistry;
  let proxies: MemoryProxies;
  let proxy: ProxyRepository;

  beforeEach(async () => {
    upstream = await UpstreamRegistry.start();
    proxies = await proxiesOnMemoryPorts(upstream.url);
    proxy = proxies.repository();
  });

  afterEach(async () => {
    await proxies.cleanup();
    await upstream.stop();
  });

  /** Puts `m` (its blobs and itself, under `tag`) in the upstream. */
  function publish(image: string, tag: string, m: Manifest): void {
    for (const blob of m.blobs) upstream.addBlob(blob.bytes);
    upstream.addManifest(image, tag, m.bytes, m.mediaType);
  }

  const upstreamGets = (what: 'manifests' | 'blobs') => upstream.count(what === 'manifests' ? 'manifest-get' : 'blob-get');

  it('fetches a cold image from the upstream once; the second pull is served from the cache without asking', async () => {
    const m = imageManifest();
    publish('team/app', '1.0', m);
    for (let pull = 0; pull < 2; pull++) {
      const got = await proxy.getManifest('team/app', '1.0');
      expect(got?.digest).toBe(m.digest);
      expect(got?.bytes.equals(m.bytes)).toBe(true);
      for (const blob of m.blobs) expect((await collect((await proxy.getBlob('team/app', blob.digest))!.stream())).equals(blob.bytes)).toBe(true);
      await waitForFills();
    }
    expect(upstreamGets('manifests')).toBe(1);
    expect(upstreamGets('blobs')).toBe(m.blobs.length);
  });

  it('makes one upstream request for a blob that several clients ask for at once, and every client gets every byte', async () => {
    const blob = randomBlob(3 * 1024 * 1024 + 5);
    upstream.addBlob(blob.bytes);
    const bodies = await Promise.all(Array.from({ length: 5 }, async () => collect((await proxy.getBlob('team/app', blob.digest))!.stream())));
    for (const body of bodies) expect(body.equals(blob.bytes)).toBe(true);
    await waitForFills();
    expect(upstreamGets('blobs')).toBe(1);
    expect(await proxy.statBlob('team/app', blob.digest, { cachedOnly: true })).toEqual({ digest: blob.digest, size: blob.size });
  });

  it('answers null for what the upstream does not have, and the negative cache keeps the next ask from reaching it', async () => {
    const digest = unknownDigest();
    for (let ask = 0; ask < 2; ask++) {
      expect(await proxy.getManifest('team/app', 'nope')).toBeNull();
      expect(await proxy.getBlob('team/app', digest)).toBeNull();
    }
    expect(upstreamGets('manifests')).toBe(1);
    expect(upstreamGets('blobs')).toBe(1);
  });

  it('asks the upstream again for a missing image when the negative cache is off', async () => {
    const uncached = proxies.repository('no-negative-cache', (config) => {
      config.negativeCache = { enabled: false, timeToLive: 0 };
    });
    for (let ask = 0; ask < 2; ask++) expect(await uncached.getManifest('team/app', 'nope')).toBeNull();
    expect(upstreamGets('manifests')).toBe(2);
  });

  it('serves what it cached once the upstream is gone', async () => {
    const m = imageManifest();
    publish('team/app', '1.0', m);
    expect((await proxy.getManifest('team/app', '1.0'))?.digest).toBe(m.digest);
    for (const blob of m.blobs) await collect((await proxy.getBlob('team/app', blob.digest))!.stream());
    await waitForFills();
    await upstream.stop();
    expect((await proxy.getManifest('team/app', m.digest))?.bytes.equals(m.bytes)).toBe(true);
    for (const blob of m.blobs) expect((await collect((await proxy.getBlob('team/app', blob.digest))!.stream())).equals(blob.bytes)).toBe(true);
    upstream = await UpstreamRegistry.start(); // for afterEach
  });

  it('does not cache a blob whose bytes do not match its digest', async () => {
    const blob = randomBlob(200_000);
    const digest = upstream.addBlob(blob.bytes);
    upstream.blobs.set(digest, randomBlob(200_000).bytes); // the upstream now serves other bytes under that digest
    const content = await proxy.getBlob('team/app', digest);
    await expect(content ? collect(content.stream()) : Promise.reject(new Error('no content'))).rejects.toThrow();
    await waitForFills();
    expect(await proxy.statBlob('team/app', digest, { cachedOnly: true })).toBeNull();
  });

  async function waitForFills(): Promise<void> {
    for (let waited = 0; proxies.fills.size > 0 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  }
});
