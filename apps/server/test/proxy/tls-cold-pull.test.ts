import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageManifest, randomBlob } from '@wharf/test-kit';
import { useTestWharf } from '../support/wharf';
import { type Upstream, createProxy, startUpstream } from './support/proxy-fixture';

const MiB = 1024 * 1024;

// A cold pull of a 250 MiB image from an HTTPS upstream, as docker does it (manifest, then the blobs in
// parallel), with Wharf in this process: any process warning raised meanwhile fails the test. (Such pulls
// filled logs with "MaxListenersExceededWarning: 11 close listeners added to [ServerResponse]".)
describe('a cold pull of a 250 MiB image over TLS', () => {
  const wharf = useTestWharf();
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream('tls-pull', { scheme: 'https' });
  });

  afterAll(async () => {
    await upstream?.close();
  });

  it('raises no process warning (MaxListenersExceededWarning or any other), and every blob arrives intact', { timeout: 180_000 }, async () => {
    const layers = [randomBlob(200 * MiB), randomBlob(45 * MiB), randomBlob(5 * MiB)];
    const image = imageManifest({ layers });
    await upstream.direct.pushImage('team/big', '1', image);
    const client = await createProxy(wharf, 'tls-pull', { remoteUrl: upstream.faults.url });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const manifest = await client.getManifest('team/big', '1');
      expect(manifest.status, manifest.text()).toBe(200);
      const pulled = await Promise.all(image.blobs.map((b) => client.streamBlob('team/big', b.digest)));
      expect(pulled.map((p) => ({ status: p.status, complete: p.complete, digest: p.digest }))).toEqual(
        image.blobs.map((b) => ({ status: 200, complete: true, digest: b.digest })),
      );
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
    expect(upstream.faults.count('blob-get')).toBe(image.blobs.length);
  });
});
