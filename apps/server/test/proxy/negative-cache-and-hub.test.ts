import { describe, expect, it } from 'vitest';
import { imageManifest, unknownDigest } from '@wharf/test-kit';
import { expectHeadError, expectRegistryError } from '../support/registry';
import { useTestWharf } from '../support/wharf';
import { SCHEMES, createProxy, invalidateCache, proxyFor, upstreamFor } from './support/proxy-fixture';

const wharf = useTestWharf();

// Every suite runs against a plain-HTTP upstream and against an HTTPS one (its CA trusted through NODE_EXTRA_CA_CERTS).
describe.each(SCHEMES)('%s upstream', (scheme) => {
  const upstream = upstreamFor('neg', scheme);
  const manifestGets = (image: string, reference: string) =>
    upstream.faults.count('manifest-get', (r) => r.image === image && r.reference === reference);

  describe('negative cache', () => {
    const PROXY = `neg-proxy-${scheme}`;
    const client = proxyFor(wharf, upstream, PROXY, { negativeCache: { enabled: true, timeToLive: 1440 } });

    it('remembers a 404 for a tag: the second request does not reach the upstream', async () => {
      expectRegistryError(await client.getManifest('team/ghost', '1'), 404, 'MANIFEST_UNKNOWN');
      expect(manifestGets('team/ghost', '1')).toBe(1);
      expectRegistryError(await client.getManifest('team/ghost', '1'), 404, 'MANIFEST_UNKNOWN');
      expectHeadError(await client.headManifest('team/ghost', '1'), 404);
      expect(manifestGets('team/ghost', '1')).toBe(1);
      expect(upstream.faults.count('manifest-head', (r) => r.image === 'team/ghost')).toBe(0);
    });

    it('keeps answering 404 while remembered, even after the tag appeared upstream; invalidate-cache forgets it', async () => {
      const m = imageManifest();
      await upstream.direct.pushImage('team/ghost', '1', m);
      expectRegistryError(await client.getManifest('team/ghost', '1'), 404, 'MANIFEST_UNKNOWN');
      expect(manifestGets('team/ghost', '1')).toBe(1);

      await invalidateCache(wharf, PROXY);
      const res = await client.getManifest('team/ghost', '1');
      expect(res.status, res.text()).toBe(200);
      expect(res.body.equals(m.bytes)).toBe(true);
      expect(manifestGets('team/ghost', '1')).toBe(2);
    });

    it('remembers a 404 for a manifest digest and for a blob', async () => {
      await upstream.direct.pushImage('team/holes', '1', imageManifest());
      const missingManifest = unknownDigest();
      const missingBlob = unknownDigest();
      for (let i = 0; i < 3; i++) {
        expectRegistryError(await client.getManifest('team/holes', missingManifest), 404, 'MANIFEST_UNKNOWN');
        expectRegistryError(await client.getBlob('team/holes', missingBlob), 404, 'BLOB_UNKNOWN');
      }
      expect(manifestGets('team/holes', missingManifest)).toBe(1);
      expect(upstream.faults.count('blob-get', (r) => r.reference === missingBlob)).toBe(1);

      await invalidateCache(wharf, PROXY);
      expectRegistryError(await client.getBlob('team/holes', missingBlob), 404, 'BLOB_UNKNOWN');
      expect(upstream.faults.count('blob-get', (r) => r.reference === missingBlob)).toBe(2);
    });

    it('with the negative cache disabled, every 404 is asked again', async () => {
      const OFF = `neg-off-proxy-${scheme}`;
      const off = await createProxy(wharf, OFF, { remoteUrl: upstream.faults.url, negativeCache: { enabled: false, timeToLive: 1440 } });
      for (let i = 0; i < 3; i++) expectRegistryError(await off.getManifest('team/nothing', 'x'), 404, 'MANIFEST_UNKNOWN');
      expect(manifestGets('team/nothing', 'x')).toBe(3);
    });
  });

  describe('Docker Hub index type: library/ mapping', () => {
    it('maps busybox to library/busybox on the upstream (HUB), and leaves namespaced images alone', async () => {
      const busybox = imageManifest();
      await upstream.direct.pushImage('library/busybox', '1.36', busybox);
      const other = imageManifest();
      await upstream.direct.pushImage('team/app', '2', other);
      const hub = await createProxy(wharf, `hub-proxy-${scheme}`, { remoteUrl: upstream.faults.url, indexType: 'HUB' });

      const res = await hub.getManifest('busybox', '1.36');
      expect(res.status, res.text()).toBe(200);
      expect(res.body.equals(busybox.bytes)).toBe(true);
      expect(res.header('docker-content-digest')).toBe(busybox.digest);
      expect(manifestGets('library/busybox', '1.36')).toBe(1);
      expect(manifestGets('busybox', '1.36')).toBe(0);

      for (const blob of busybox.blobs) {
        const b = await hub.getBlob('busybox', blob.digest);
        expect(b.status, b.text()).toBe(200);
        expect(b.body.equals(blob.bytes)).toBe(true);
      }
      const digests = new Set(busybox.blobs.map((b) => b.digest));
      const blobPaths = upstream.faults.requests.filter((r) => r.kind === 'blob-get' && digests.has(r.reference!)).map((r) => r.image);
      expect(new Set(blobPaths)).toEqual(new Set(['library/busybox']));

      // Spelled out, it works too.
      const explicit = await hub.getManifest('library/busybox', '1.36');
      expect(explicit.status, explicit.text()).toBe(200);
      expect(explicit.body.equals(busybox.bytes)).toBe(true);

      const namespaced = await hub.getManifest('team/app', '2');
      expect(namespaced.status, namespaced.text()).toBe(200);
      expect(namespaced.body.equals(other.bytes)).toBe(true);
      expect(manifestGets('team/app', '2')).toBe(1);
      expect(manifestGets('library/team/app', '2')).toBe(0);
    });

    it('a REGISTRY proxy of the same upstream does not map: busybox is not library/busybox there', async () => {
      const plain = await createProxy(wharf, `plain-proxy-${scheme}`, { remoteUrl: upstream.faults.url, indexType: 'REGISTRY' });
      const before = manifestGets('library/busybox', '1.36');
      expectRegistryError(await plain.getManifest('busybox', '1.36'), 404, 'MANIFEST_UNKNOWN');
      expect(manifestGets('busybox', '1.36')).toBe(1);
      expect(manifestGets('library/busybox', '1.36')).toBe(before);
    });
  });
});
