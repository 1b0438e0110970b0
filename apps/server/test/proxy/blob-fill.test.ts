import { setTimeout as sleep } from 'node:timers/promises';
import { nativeIoAvailable, nativeReceives, zeroCopyTransfers } from '@wharf/native-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test/support/wait';
import { type Blob, Gate, type Manifest, imageManifest, randomBlob, sha256 } from '@wharf/test-kit';
import { useTestWharf } from '../support/wharf';
import { type ProxyClient, SCHEMES, type StreamedBody, createProxy, proxyStatus, upstreamFor } from './support/proxy-fixture';

const MiB = 1024 * 1024;
const CLIENTS = 20;

const wharf = useTestWharf();

function expectIntact(results: StreamedBody[], blob: Blob): void {
  const summary = results.map((r) => ({ status: r.status, complete: r.complete, size: r.size, digest: r.digest }));
  expect(summary).toEqual(Array(results.length).fill({ status: 200, complete: true, size: blob.size, digest: blob.digest }));
}

// Every test runs against a plain-HTTP upstream and against an HTTPS one (its CA trusted through NODE_EXTRA_CA_CERTS).
describe.each(SCHEMES)('%s upstream', (scheme) => {
  const upstream = upstreamFor('fill', scheme);
  const blobGets = (digest: string) => upstream.faults.count('blob-get', (r) => r.reference === digest);

  /** Proxy `name` over an image `<image>:1` of one random layer of `size` bytes, its manifest pulled: the blob is still cold. */
  async function coldBlobBehind(name: string, image: string, size: number): Promise<{ client: ProxyClient; blob: Blob }> {
    const blob = randomBlob(size);
    await upstream.direct.pushImage(image, '1', imageManifest({ layers: [blob] }));
    const client = await createProxy(wharf, name, { remoteUrl: upstream.faults.url });
    expect((await client.getManifest(image, '1')).status).toBe(200);
    return { client, blob };
  }

  describe('concurrent requests for one cold 50 MiB blob', () => {
    const PROXY = `fill-proxy-${scheme}`;
    let client: ProxyClient;
    let image: Manifest;
    let natural: Blob;
    let gated: Blob;

    beforeAll(async () => {
      natural = randomBlob(50 * MiB);
      gated = randomBlob(50 * MiB);
      image = imageManifest({ layers: [natural, gated] });
      await upstream.direct.pushImage('team/big', '1', image);
      client = await createProxy(wharf, PROXY, { remoteUrl: upstream.faults.url });
      const m = await client.getManifest('team/big', '1');
      expect(m.status, m.text()).toBe(200);
    });

    it(`${CLIENTS} simultaneous GETs: one upstream blob GET, every client gets the right bytes`, async () => {
      const ingests = nativeReceives();
      const sends = zeroCopyTransfers();
      const results = await Promise.all(Array.from({ length: CLIENTS }, () => client.streamBlob('team/big', natural.digest)));
      expectIntact(results, natural);
      expect(blobGets(natural.digest), JSON.stringify(upstream.faults.counts())).toBe(1);
      if (nativeIoAvailable()) {
        // Off the JavaScript thread: the addon received the upstream body, and every client followed the file with sendfile.
        expect(nativeReceives() - ingests).toBe(1);
        await waitFor('every send to settle', () => zeroCopyTransfers() - sends === CLIENTS, { timeoutMs: 10_000 });
      }
    });

    it(`${CLIENTS} GETs that all arrive while the upstream is still answering: one upstream blob GET`, async () => {
      // The upstream holds its answer until every client request is in: a slow registry, made deterministic.
      const gate = new Gate();
      upstream.faults.holdBlobGets = gate;
      try {
        const pending = Array.from({ length: CLIENTS }, () => client.streamBlob('team/big', gated.digest));
        await upstream.faults.waitForRequest((r) => r.kind === 'blob-get' && r.reference === gated.digest);
        await sleep(1_000); // let Wharf take in the other requests (synchronisation only)
        expect((await proxyStatus(wharf, PROXY)).fillsInFlight, 'one fill for the 20 requests, under way').toBe(1);
        gate.open();
        const results = await Promise.all(pending);
        expectIntact(results, gated);
        await waitFor('the fill to settle', async () => (await proxyStatus(wharf, PROXY)).fillsInFlight === 0, { timeoutMs: 10_000 });
      } finally {
        upstream.faults.holdBlobGets = null;
      }
      expect(blobGets(gated.digest), JSON.stringify(upstream.faults.counts())).toBe(1);
    });

    it('serves the blobs from the cache afterwards, and counts the upstream bytes once', async () => {
      const before = upstream.faults.count('blob-get');
      const again = await client.streamBlob('team/big', natural.digest);
      expectIntact([again], natural);
      expect(upstream.faults.count('blob-get')).toBe(before);
      const status = await proxyStatus(wharf, PROXY);
      expect(status.counters.bytesFromUpstream).toBe(image.size + natural.size + gated.size);
      expect(status.counters.upstreamRequests['blob-get']).toBe(upstream.faults.count('blob-get'));
    });
  });

  describe('a client that hangs up in the middle of a cold fill', () => {
    const PROXY = `hang-up-proxy-${scheme}`;

    it('does not disturb the fill: the client still reading gets every byte, and the blob is cached from one upstream GET', async () => {
      const { client, blob } = await coldBlobBehind(PROXY, 'team/hangup', 40 * MiB);
      const [gone, stayed] = await Promise.all([
        client.streamBlob('team/hangup', blob.digest, { hangUpAfter: MiB }),
        client.streamBlob('team/hangup', blob.digest),
      ]);
      expect(gone.complete).toBe(false);
      expectIntact([stayed], blob);
      await waitFor('the fill to settle', async () => (await proxyStatus(wharf, PROXY)).fillsInFlight === 0, { timeoutMs: 10_000 });
      expectIntact([await client.streamBlob('team/hangup', blob.digest)], blob);
      expect(blobGets(blob.digest)).toBe(1);
    });
  });

  describe('a client that reads slower than the upstream sends', () => {
    const PROXY = `slow-client-proxy-${scheme}`;

    it('does not hold the fill back, and still gets every byte (reading along the spool file)', async () => {
      // 30 MiB: more than the loopback socket buffers can hold for a client that reads nothing.
      const { client, blob } = await coldBlobBehind(PROXY, 'team/slow', 30 * MiB);
      const before = (await proxyStatus(wharf, PROXY)).counters.bytesFromUpstream;

      let release!: () => void;
      const slow = client.streamBlob('team/slow', blob.digest, { readAfter: new Promise<void>((r) => (release = r)) });
      try {
        // The whole blob comes in and is verified while the client has read nothing.
        await waitFor('the upstream bytes to be counted', async () => (await proxyStatus(wharf, PROXY)).counters.bytesFromUpstream === before + blob.size, {
          timeoutMs: 30_000,
        });
      } finally {
        release();
      }
      expectIntact([await slow], blob);
      expect(blobGets(blob.digest)).toBe(1);
    });
  });

  describe('a corrupted blob from the upstream', () => {
    const PROXY = `corrupt-proxy-${scheme}`;
    let client: ProxyClient;
    let layer: Blob;
    let small: Blob;

    beforeAll(async () => {
      layer = randomBlob(3 * MiB);
      small = randomBlob(700);
      await upstream.direct.pushImage('team/bad', '1', imageManifest({ layers: [layer, small] }));
      client = await createProxy(wharf, PROXY, { remoteUrl: upstream.faults.url });
      const m = await client.getManifest('team/bad', '1');
      expect(m.status, m.text()).toBe(200);
    });

    afterAll(() => {
      upstream.faults.corruptBlobs = false;
    });

    for (const [label, pick] of [
      ['a 3 MiB layer', () => layer],
      ['a 700-byte blob', () => small],
    ] as const) {
      it(`${label}: the client never gets a complete response, nothing is cached, the next request after recovery succeeds`, async () => {
        const blob = pick();
        upstream.faults.corruptBlobs = true;
        const statusBefore = await proxyStatus(wharf, PROXY);

        const first = await client.streamBlob('team/bad', blob.digest);
        expect(first.digest).not.toBe(blob.digest);
        // Either an error status, or a cut connection / short body: never a full 200 with wrong bytes.
        const completeOk = first.status === 200 && first.complete && first.size === blob.size;
        expect(completeOk, JSON.stringify(first)).toBe(false);
        expect(blobGets(blob.digest)).toBe(1);

        // Not cached: the next request goes to the upstream again (and fails again while it is corrupt).
        const second = await client.streamBlob('team/bad', blob.digest);
        expect(second.status === 200 && second.complete && second.size === blob.size, JSON.stringify(second)).toBe(false);
        expect(blobGets(blob.digest)).toBe(2);
        const statusMid = await proxyStatus(wharf, PROXY);
        expect(statusMid.counters.bytesFromUpstream).toBe(statusBefore.counters.bytesFromUpstream);

        // The upstream recovers: the next request fetches it again, verified, and caches it.
        upstream.faults.corruptBlobs = false;
        const third = await client.streamBlob('team/bad', blob.digest);
        expectIntact([third], blob);
        expect(blobGets(blob.digest)).toBe(3);
        const fourth = await client.getBlob('team/bad', blob.digest);
        expect(fourth.status).toBe(200);
        expect(sha256(fourth.body)).toBe(blob.digest);
        expect(blobGets(blob.digest)).toBe(3);
        const statusAfter = await proxyStatus(wharf, PROXY);
        expect(statusAfter.counters.bytesFromUpstream).toBe(statusBefore.counters.bytesFromUpstream + blob.size);
      });
    }
  });
});
