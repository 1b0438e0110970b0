import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Blob, Gate, type Manifest, imageManifest, randomBlob } from '@wharf/test-kit';
import { REPOSITORIES } from '../support/rest';
import { ProxyClient, proxyBody, startUpstream, type Upstream } from '../proxy/support/proxy-fixture';
import { type ReplicaPair, SHARED_STORE, startReplicaPair, within } from './support/replica-pair';

// A proxy repository served by two replicas (one PostgreSQL database, one S3 bucket): concurrent requests for
// a cold blob or tag, spread over both, cause ONE upstream request; the replica that did not fetch waits for
// the other (a PostgreSQL advisory lock per digest or tag) and then reads what it stored.

const CLIENTS = 20;
const MiB = 1024 * 1024;
const PROXY = 'replicated-proxy';

let pair: ReplicaPair;
let upstream: Upstream;
let onA: ProxyClient;
let onB: ProxyClient;
let image: Manifest;
let layer: Blob;

beforeAll(async () => {
  pair = await startReplicaPair(`pw-${randomBytes(8).toString('hex')}`);
  upstream = await startUpstream('replicas');
  layer = randomBlob(8 * MiB);
  image = imageManifest({ layers: [layer] });
  await upstream.direct.pushImage('team/app', '1', image);
  const body = { ...proxyBody(PROXY, { remoteUrl: upstream.faults.url }), storage: { blobStoreName: SHARED_STORE, strictContentTypeValidation: true } };
  const created = await pair.a.http.sendJson('POST', `${REPOSITORIES}/docker/proxy`, body);
  expect(created.status, created.text()).toBe(201);
  await within(1000, 'B knows the proxy', async () => (await pair.b.http.get(`${REPOSITORIES}/docker/proxy/${PROXY}`)).status === 200);
  onA = new ProxyClient(pair.a, PROXY);
  onB = new ProxyClient(pair.b, PROXY);
});

afterAll(async () => {
  await upstream?.close();
  await pair?.close();
});

/** Half of the requests to each replica, interleaved, all started before any answer. */
function spread<T>(request: (client: ProxyClient) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: CLIENTS }, (_, i) => request(i % 2 === 0 ? onA : onB)));
}

describe('a proxy on two replicas fetches a cold item once', () => {
  it(`${CLIENTS} concurrent GETs of a cold tag over both replicas: one upstream manifest GET`, async () => {
    const gate = new Gate();
    upstream.faults.holdManifestGets = gate;
    try {
      const pending = spread((c) => c.getManifest('team/app', '1'));
      await upstream.faults.waitForRequest((r) => r.kind === 'manifest-get');
      await sleep(1_000); // let both replicas take in every request (synchronisation only)
      gate.open();
      const results = await pending;
      expect(results.map((r) => `${r.status} ${r.header('docker-content-digest')}`)).toEqual(Array(CLIENTS).fill(`200 ${image.digest}`));
    } finally {
      upstream.faults.holdManifestGets = null;
    }
    expect(upstream.faults.count('manifest-get'), JSON.stringify(upstream.faults.counts())).toBe(1);
  });

  it(`${CLIENTS} concurrent GETs of a cold blob over both replicas: one upstream blob GET, every client gets the bytes`, async () => {
    const gate = new Gate();
    upstream.faults.holdBlobGets = gate;
    try {
      const pending = spread((c) => c.streamBlob('team/app', layer.digest));
      await upstream.faults.waitForRequest((r) => r.kind === 'blob-get' && r.reference === layer.digest);
      await sleep(1_000);
      gate.open();
      const results = await pending;
      const summary = results.map((r) => ({ status: r.status, complete: r.complete, size: r.size, digest: r.digest }));
      expect(summary).toEqual(Array(CLIENTS).fill({ status: 200, complete: true, size: layer.size, digest: layer.digest }));
    } finally {
      upstream.faults.holdBlobGets = null;
    }
    expect(upstream.faults.count('blob-get', (r) => r.reference === layer.digest), JSON.stringify(upstream.faults.counts())).toBe(1);
    // Both replicas now serve it from the bucket.
    for (const client of [onA, onB]) expect((await client.getBlob('team/app', layer.digest)).status).toBe(200);
    expect(upstream.faults.count('blob-get', (r) => r.reference === layer.digest)).toBe(1);
  });
});
