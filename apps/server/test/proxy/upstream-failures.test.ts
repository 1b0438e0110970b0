import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageManifest, sha256 } from '@wharf/test-kit';
import { expectRegistryError } from '../support/registry';
import { useTestWharf } from '../support/wharf';
import { SCHEMES, proxyFor, proxyStatus, upstreamFor, type ErrorBody, pullAll } from './support/proxy-fixture';

const wharf = useTestWharf();

// Every suite runs against a plain-HTTP upstream and against an HTTPS one (its CA trusted through NODE_EXTRA_CA_CERTS).
describe.each(SCHEMES)('%s upstream', (scheme) => {
  const upstream = upstreamFor('fail', scheme);

  describe('upstream answering 429 Too Many Requests', () => {
    const PROXY = `rl-proxy-${scheme}`;
    const IMAGE = 'team/rl';
    const cached = imageManifest();
    const moving = imageManifest();
    const cold = imageManifest();
    // metadataMaxAge 0: every tag request asks the upstream, so the 429 matters on every pull.
    const client = proxyFor(wharf, upstream, PROXY, { metadataMaxAge: 0 }, { [IMAGE]: { cached, moving, cold } });

    beforeAll(async () => {
      await pullAll(client, IMAGE, 'cached', cached);
      await pullAll(client, IMAGE, 'moving', moving);
      upstream.faults.rateLimit = {
        retryAfter: '3600',
        methods: ['GET'],
        headers: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600', 'docker-ratelimit-source': '203.0.113.7' },
      };
    });

    afterAll(() => {
      upstream.faults.rateLimit = null;
    });

    it('a cached tag still pulls when the HEAD says it is unchanged (HEAD is not rate limited)', async () => {
      const gets = upstream.faults.count('manifest-get');
      await pullAll(client, IMAGE, 'cached', cached);
      expect(upstream.faults.count('manifest-get')).toBe(gets);
    });

    it('a cached tag that moved upstream is served stale when the GET of the new manifest gets 429', async () => {
      await upstream.direct.pushImage(IMAGE, 'moving', imageManifest());
      const before = await proxyStatus(wharf, PROXY);
      const gets = upstream.faults.count('manifest-get', (r) => r.reference === 'moving');

      await pullAll(client, IMAGE, 'moving', moving);

      expect(upstream.faults.count('manifest-get', (r) => r.reference === 'moving')).toBe(gets + 1);
      const after = await proxyStatus(wharf, PROXY);
      expect(after.counters.staleServed).toBe(before.counters.staleServed + 1);
    });

    it('a cached tag is served stale when HEAD and GET both get 429', async () => {
      upstream.faults.rateLimit = { ...upstream.faults.rateLimit!, methods: ['GET', 'HEAD'] };
      const before = await proxyStatus(wharf, PROXY);
      await pullAll(client, IMAGE, 'cached', cached);
      const after = await proxyStatus(wharf, PROXY);
      expect(after.counters.staleServed).toBe(before.counters.staleServed + 1);
    });

    it('an uncached tag answers 429 TOOMANYREQUESTS with the upstream Retry-After', async () => {
      const res = await client.getManifest(IMAGE, 'cold');
      expectRegistryError(res, 429, 'TOOMANYREQUESTS');
      expect(res.header('retry-after')).toBe('3600');
      expect(res.json<ErrorBody>().errors[0]!.message).toMatch(/rate|limit|429/i);
    });

    it('GET .../status shows the rate-limit figures, and a 429 does not auto-block the upstream', async () => {
      const status = await proxyStatus(wharf, PROXY);
      expect(status.rateLimit).toMatchObject({ limit: 100, remaining: 0, source: '203.0.113.7' });
      expect(status.upstream.autoBlocked).toBe(false);
      expect(status.upstream.lastFailure?.message ?? '').toMatch(/429|rate|too many/i);
    });

    it('the 429 is not remembered as a missing tag: once the limit lifts, the uncached tag pulls', async () => {
      upstream.faults.rateLimit = null;
      await pullAll(client, IMAGE, 'cold', cold);
    });
  });

  describe('upstream down (connection refused)', () => {
    const IMAGE = 'team/down';
    const BLOCKING = `down-proxy-${scheme}`;
    const NOBLOCK = `down-noblock-${scheme}`;
    const cached = imageManifest();
    const cold = imageManifest();
    const blocking = proxyFor(wharf, upstream, BLOCKING, { metadataMaxAge: 0, autoBlock: true }, { [IMAGE]: { cached, cold } });
    const noblock = proxyFor(wharf, upstream, NOBLOCK, { metadataMaxAge: 0, autoBlock: false });

    beforeAll(async () => {
      await pullAll(blocking, IMAGE, 'cached', cached);
      await pullAll(noblock, IMAGE, 'cached', cached);
      await upstream.faults.stop();
    });

    afterAll(async () => {
      await upstream.faults.start();
    });

    it('a cached image still pulls (manifest by tag served stale, blobs from the cache)', async () => {
      const before = await proxyStatus(wharf, BLOCKING);
      await pullAll(blocking, IMAGE, 'cached', cached);
      await pullAll(noblock, IMAGE, 'cached', cached);
      const byDigest = await blocking.getManifest(IMAGE, cached.digest);
      expect(byDigest.status).toBe(200);
      expect(sha256(byDigest.body)).toBe(cached.digest);
      const after = await proxyStatus(wharf, BLOCKING);
      expect(after.counters.staleServed).toBeGreaterThan(before.counters.staleServed);
    });

    it('an uncached manifest answers 503 UNAVAILABLE with a message naming the upstream', async () => {
      for (const client of [blocking, noblock]) {
        const res = await client.getManifest(IMAGE, 'cold');
        expectRegistryError(res, 503, 'UNAVAILABLE');
        const message = res.json<ErrorBody>().errors[0]!.message;
        expect(message).toContain(upstream.faults.url);
        expect(message).toMatch(/unreachable|cannot reach|refused|down|blocked|unavailable/i);
      }
    });

    it('an uncached blob answers 503 UNAVAILABLE, not 404', async () => {
      for (const client of [blocking, noblock]) {
        const res = await client.getBlob(IMAGE, cold.blobs[1]!.digest);
        expectRegistryError(res, 503, 'UNAVAILABLE');
      }
    });

    it('GET .../status shows the upstream unreachable, the failure, and the auto-block', async () => {
      const status = await proxyStatus(wharf, BLOCKING);
      expect(status.upstream.reachable).toBe(false);
      expect(status.upstream.lastFailure).not.toBeNull();
      expect(status.upstream.lastFailure!.message).toMatch(/ECONNREFUSED|refused|unreachable|cannot reach/i);
      expect(status.upstream.autoBlocked).toBe(true);
      expect(Date.parse(status.upstream.autoBlockedUntil ?? '')).toBeGreaterThan(Date.now());
      expect(status.counters.upstreamFailures).toBeGreaterThanOrEqual(1);

      const other = await proxyStatus(wharf, NOBLOCK);
      expect(other.upstream.reachable).toBe(false);
      expect(other.upstream.autoBlocked).toBe(false);
      expect(other.upstream.autoBlockedUntil).toBeNull();
    });

    it('while auto-blocked, requests for uncached content do not reach the upstream', async () => {
      await upstream.faults.start();
      const before = upstream.faults.requests.length;
      const res = await blocking.getManifest(IMAGE, 'cold');
      expectRegistryError(res, 503, 'UNAVAILABLE');
      expect(res.json<ErrorBody>().errors[0]!.message).toMatch(/block/i);
      await pullAll(blocking, IMAGE, 'cached', cached);
      expect(upstream.faults.requests.length).toBe(before);
    });

    it('without auto-block, the first request after the upstream is back succeeds', async () => {
      await upstream.faults.start();
      await pullAll(noblock, IMAGE, 'cold', cold);
      const status = await proxyStatus(wharf, NOBLOCK);
      expect(status.upstream.reachable).toBe(true);
    });
  });
});
