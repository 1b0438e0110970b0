import { describe, expect, it } from 'vitest';
import { MT, imageManifest, randomBlob, sha256 } from '@wharf/test-kit';
import { expectServed } from '../support/registry';
import { useTestWharf } from '../support/wharf';
import { ACCEPT_ALL, ProxyClient, SCHEMES, createProxy, proxyFor, invalidateCache, proxyStatus, upstreamFor } from './support/proxy-fixture';

// A proxy repository in front of a real CNCF Distribution (through a counting pass-through),
// pulled by path on the main port: /v2/<proxy>/<image>/... with Basic admin credentials.

const wharf = useTestWharf();

const isManifestOf = (image: string, reference: string) => (r: { image?: string; reference?: string }) =>
  r.image === image && r.reference === reference;

// Every suite runs against a plain-HTTP upstream and against an HTTPS one (its CA trusted through NODE_EXTRA_CA_CERTS).
describe.each(SCHEMES)('%s upstream', (scheme) => {
  const upstream = upstreamFor('pull', scheme);

  describe('pull through a proxy repository', () => {
    const PROXY = `pt-proxy-${scheme}`;
    const oci = imageManifest({ layers: [randomBlob(300_000), randomBlob(1234)] });
    const docker = imageManifest({ mediaType: MT.dockerManifest });
    const client = proxyFor(wharf, upstream, PROXY, {}, { 'team/app': { '1.0': oci }, 'team/legacy': { v2: docker } });

    it('serves the manifest by tag with the upstream bytes, digest and media type', async () => {
      const fromUpstream = await upstream.direct.getManifest('team/app', '1.0', { headers: { Accept: ACCEPT_ALL } });
      expect(fromUpstream.status).toBe(200);
      expect(fromUpstream.body.equals(oci.bytes)).toBe(true);

      const res = await client.getManifest('team/app', '1.0');
      expectServed(res, oci);
      expect(res.body.equals(fromUpstream.body)).toBe(true);
      expect(res.header('content-type')).toBe(MT.ociManifest);
      expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
      expect(upstream.faults.count('manifest-get', isManifestOf('team/app', '1.0'))).toBe(1);
    });

    it('serves every blob with the upstream bytes', async () => {
      for (const blob of oci.blobs) {
        expectServed(await client.getBlob('team/app', blob.digest), blob);
      }
      expect(upstream.faults.count('blob-get', (r) => r.image === 'team/app')).toBe(oci.blobs.length);
    });

    it('serves a Docker schema 2 image with its media type', async () => {
      const res = await client.getManifest('team/legacy', 'v2');
      expect(res.status, res.text()).toBe(200);
      expect(res.body.equals(docker.bytes)).toBe(true);
      expect(res.header('content-type')).toBe(MT.dockerManifest);
      expect(res.header('docker-content-digest')).toBe(docker.digest);
    });

    it('pulls the same image a second time from the cache: no request reaches the upstream', async () => {
      const before = upstream.faults.counts();
      const statusBefore = await proxyStatus(wharf, PROXY);

      const byTag = await client.getManifest('team/app', '1.0');
      expect(byTag.status).toBe(200);
      expect(byTag.body.equals(oci.bytes)).toBe(true);
      const byDigest = await client.getManifest('team/app', oci.digest);
      expect(byDigest.status).toBe(200);
      expect(byDigest.body.equals(oci.bytes)).toBe(true);
      const head = await client.headManifest('team/app', '1.0');
      expect(head.status).toBe(200);
      expect(head.header('docker-content-digest')).toBe(oci.digest);
      for (const blob of oci.blobs) {
        const res = await client.getBlob('team/app', blob.digest);
        expect(res.status).toBe(200);
        expect(sha256(res.body)).toBe(blob.digest);
        const h = await client.headBlob('team/app', blob.digest);
        expect(h.status).toBe(200);
        expect(Number(h.header('content-length'))).toBe(blob.size);
      }

      expect(upstream.faults.counts()).toEqual(before);
      const after = await proxyStatus(wharf, PROXY);
      expect(after.counters.cacheHits).toBeGreaterThanOrEqual(statusBefore.counters.cacheHits + 2 + oci.blobs.length);
      expect(after.counters.cacheMisses).toBe(statusBefore.counters.cacheMisses);
      expect(after.counters.bytesFromUpstream).toBe(statusBefore.counters.bytesFromUpstream);
      expect(after.counters.bytesFromCache).toBeGreaterThanOrEqual(
        statusBefore.counters.bytesFromCache + oci.blobs.reduce((n, b) => n + b.size, 0),
      );
    });

    it('records when a proxied image was last pulled (directly and through a group): lastDownloaded in /components', async () => {
      const lastDownloaded = async () => {
        const res = await wharf.http.get(`/service/rest/v1/components?repository=${PROXY}&name=team/app`);
        expect(res.status, res.text()).toBe(200);
        const items = res.json<{ items: { version: string; assets: { lastDownloaded: string | null }[] }[] }>().items;
        return items.find((c) => c.version === '1.0')?.assets[0]?.lastDownloaded ?? null;
      };
      const before = Date.now();
      expect((await client.getManifest('team/app', '1.0')).status).toBe(200);
      const first = await lastDownloaded();
      expect(first).not.toBeNull();
      expect(Date.parse(first!)).toBeGreaterThanOrEqual(before - 1000);

      const group = `${PROXY}-group`;
      const created = await wharf.http.sendJson('POST', '/service/rest/v1/repositories/docker/group', {
        name: group,
        online: true,
        storage: { blobStoreName: 'default', strictContentTypeValidation: true },
        group: { memberNames: [PROXY], writableMember: null },
        docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null },
      });
      expect(created.status, created.text()).toBe(201);
      await new Promise((r) => setTimeout(r, 20));
      expect((await new ProxyClient(wharf, group).getManifest('team/app', '1.0')).status).toBe(200);
      expect(Date.parse((await lastDownloaded())!)).toBeGreaterThan(Date.parse(first!));
    });

    it('reports the upstream traffic in GET .../status, matching what the upstream received', async () => {
      const status = await proxyStatus(wharf, PROXY);
      expect(status.type).toBe('proxy');
      expect(status.upstream.remoteUrl).toBe(upstream.faults.url);
      expect(status.upstream.reachable).toBe(true);
      expect(status.upstream.autoBlocked).toBe(false);
      expect(status.counters.upstreamRequests['manifest-get']).toBe(upstream.faults.count('manifest-get'));
      expect(status.counters.upstreamRequests['blob-get']).toBe(upstream.faults.count('blob-get'));
      expect(status.counters.upstreamRequests['manifest-head']).toBe(upstream.faults.count('manifest-head'));
      const expectedBytes = oci.size + docker.size + oci.blobs.reduce((n, b) => n + b.size, 0);
      expect(status.counters.bytesFromUpstream).toBe(expectedBytes);
    });

    it('serves a multi-platform index and its children by digest', async () => {
      const { index, children } = await upstream.direct.pushPlatformIndex('team/multi', 'latest');

      const res = await client.getManifest('team/multi', 'latest');
      expect(res.status, res.text()).toBe(200);
      expect(res.body.equals(index.bytes)).toBe(true);
      expect(res.header('content-type')).toBe(MT.ociIndex);
      for (const child of children) expectServed(await client.getManifest('team/multi', child.digest), child);
      const layer = children[1]!.blobs[1]!;
      expectServed(await client.getBlob('team/multi', layer.digest), layer);
    });

    it('refuses pushes: a proxy is read-only', async () => {
      const res = await wharf.http.post(`/v2/${PROXY}/team/app/blobs/uploads/`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.errorCodes()).toEqual(expect.arrayContaining([expect.stringMatching(/DENIED|UNSUPPORTED/)]));
    });
  });

  describe('tag max age: revalidation with HEAD', () => {
    const PROXY = `ttl-proxy-${scheme}`;
    const IMAGE = 'team/tier';
    const stable = imageManifest();
    const latest = imageManifest();
    // `latest` and `edge-*` always revalidate; everything else is fresh for a day.
    const tagMaxAge = [{ pattern: 'latest|edge-.*', maxAge: 0 }];
    const client = proxyFor(wharf, upstream, PROXY, { metadataMaxAge: 1440, tagMaxAge }, { [IMAGE]: { stable, latest, burst: imageManifest() } });

    const gets = (tag: string) => upstream.faults.count('manifest-get', isManifestOf(IMAGE, tag));
    const heads = (tag: string) => upstream.faults.count('manifest-head', isManifestOf(IMAGE, tag));

    it('100 GETs of one tag within its max age cause exactly one upstream manifest GET', async () => {
      for (let i = 0; i < 100; i++) {
        const res = await client.getManifest(IMAGE, 'stable');
        expect(res.status).toBe(200);
        expect(res.header('docker-content-digest')).toBe(stable.digest);
      }
      expect({ get: gets('stable'), head: heads('stable') }).toEqual({ get: 1, head: 0 });
    });

    it('100 concurrent GETs of one cold tag cause exactly one upstream manifest GET', async () => {
      const all = await Promise.all(Array.from({ length: 100 }, () => client.getManifest(IMAGE, 'burst')));
      expect(all.map((r) => r.status)).toEqual(Array(100).fill(200));
      expect(new Set(all.map((r) => sha256(r.body))).size).toBe(1);
      expect({ get: gets('burst'), head: heads('burst') }).toEqual({ get: 1, head: 0 });
    });

    it('HEAD of a fresh tag does not reach the upstream either', async () => {
      const res = await client.headManifest(IMAGE, 'stable');
      expect(res.status).toBe(200);
      expect(res.header('docker-content-digest')).toBe(stable.digest);
      expect({ get: gets('stable'), head: heads('stable') }).toEqual({ get: 1, head: 0 });
    });

    it('an expired tag (tagMaxAge tier 0) is revalidated with a HEAD and not fetched again when unchanged', async () => {
      const first = await client.getManifest(IMAGE, 'latest');
      expect(first.status).toBe(200);
      expect(first.body.equals(latest.bytes)).toBe(true);
      expect({ get: gets('latest'), head: heads('latest') }).toEqual({ get: 1, head: 0 });

      for (let i = 1; i <= 3; i++) {
        const again = await client.getManifest(IMAGE, 'latest');
        expect(again.status).toBe(200);
        expect(again.body.equals(latest.bytes)).toBe(true);
        expect({ get: gets('latest'), head: heads('latest') }).toEqual({ get: 1, head: i });
      }
    });

    it('fetches the manifest again when the tag moved upstream', async () => {
      const moved = imageManifest();
      await upstream.direct.pushImage(IMAGE, 'latest', moved);
      const before = { get: gets('latest'), head: heads('latest') };

      const res = await client.getManifest(IMAGE, 'latest');
      expect(res.status).toBe(200);
      expect(res.body.equals(moved.bytes)).toBe(true);
      expect(res.header('docker-content-digest')).toBe(moved.digest);
      expect({ get: gets('latest'), head: heads('latest') }).toEqual({ get: before.get + 1, head: before.head + 1 });

      // The previous image stays pullable by digest, from the cache.
      const old = await client.getManifest(IMAGE, latest.digest);
      expect(old.status).toBe(200);
      expect(old.body.equals(latest.bytes)).toBe(true);
      expect(upstream.faults.count('manifest-get', isManifestOf(IMAGE, latest.digest))).toBe(0);
    });

    it('invalidate-cache makes a fresh tag revalidate (HEAD, no GET when unchanged), then it is fresh again', async () => {
      expect({ get: gets('stable'), head: heads('stable') }).toEqual({ get: 1, head: 0 });
      await invalidateCache(wharf, PROXY);

      const res = await client.getManifest(IMAGE, 'stable');
      expect(res.status).toBe(200);
      expect(res.body.equals(stable.bytes)).toBe(true);
      expect({ get: gets('stable'), head: heads('stable') }).toEqual({ get: 1, head: 1 });

      const again = await client.getManifest(IMAGE, 'stable');
      expect(again.status).toBe(200);
      expect({ get: gets('stable'), head: heads('stable') }).toEqual({ get: 1, head: 1 });
    });

    it('invalidate-cache followed by a moved tag serves the new manifest', async () => {
      const moved = imageManifest();
      await upstream.direct.pushImage(IMAGE, 'stable', moved);
      // Within max age the old digest is still served, without asking the upstream.
      const cached = await client.getManifest(IMAGE, 'stable');
      expect(cached.header('docker-content-digest')).toBe(stable.digest);

      await invalidateCache(wharf, PROXY);
      const res = await client.getManifest(IMAGE, 'stable');
      expect(res.status).toBe(200);
      expect(res.header('docker-content-digest')).toBe(moved.digest);
      expect(res.body.equals(moved.bytes)).toBe(true);
      expect({ get: gets('stable'), head: heads('stable') }).toEqual({ get: 2, head: 2 });
    });
  });

  describe('metadataMaxAge 0: every tag request revalidates', () => {
    it('answers from the cache after a HEAD, never a second GET while the tag stays', async () => {
      const PROXY = `ttl0-proxy-${scheme}`;
      const IMAGE = 'team/zero';
      const m = imageManifest();
      await upstream.direct.pushImage(IMAGE, 'v1', m);
      const client = await createProxy(wharf, PROXY, { remoteUrl: upstream.faults.url, metadataMaxAge: 0 });
      for (let i = 0; i < 5; i++) {
        const res = await client.getManifest(IMAGE, 'v1');
        expect(res.status).toBe(200);
        expect(res.body.equals(m.bytes)).toBe(true);
      }
      expect(upstream.faults.count('manifest-get', isManifestOf(IMAGE, 'v1'))).toBe(1);
      expect(upstream.faults.count('manifest-head', isManifestOf(IMAGE, 'v1'))).toBe(4);
      // By digest: immutable, never revalidated.
      const byDigest = await client.getManifest(IMAGE, m.digest);
      expect(byDigest.status).toBe(200);
      expect(upstream.faults.count('manifest-get', isManifestOf(IMAGE, m.digest))).toBe(0);
      expect(upstream.faults.count('manifest-head', isManifestOf(IMAGE, m.digest))).toBe(0);
    });
  });
});
