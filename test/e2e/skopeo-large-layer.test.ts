import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../support/cleanup';
import { buildDiskImage, digestFile, type DiskImage, readOciLayout, writeOciLayout } from '@wharf/test-kit';
import { skopeoCopy, skopeoInspect, skopeoInspectRaw, trySkopeoCopy, type SkopeoCreds } from '../support/skopeo';
import { Wharf } from '../support/wharf';

const MiB = 1 << 20;

// skopeo copies an image with a 200 MiB layer into a hosted repository addressed by path on the
// main port (/v2/<repo>/<image>/...), and back out, byte for byte.
describe('skopeo copy of a 200 MiB layer via path routing on the main port', () => {
  const cleanup = new Cleanup();
  let tmp: string;
  let wharf: Wharf;
  let image: DiskImage;
  let creds: SkopeoCreds;
  let ref: string;

  beforeAll(async () => {
    tmp = cleanup.tempDir('skopeo-large');
    // gzip (stored blocks): skopeo would otherwise compress the layer and change its digest.
    image = await buildDiskImage(join(tmp, 'image'), { layers: [200 * MiB], format: 'oci', gzip: true });
    writeOciLayout(join(tmp, 'layout-in'), image, 'v1');
    wharf = cleanup.stopping('wharf', await Wharf.start({ dir: tmp }));
    await wharf.createHostedRepo('docker-hosted');
    creds = wharf.adminCredentials;
    ref = `docker://${wharf.registryHost}/docker-hosted/big:v1`;
  });
  afterAll(() => cleanup.run());

  it('copies the image in and out with identical manifest and layer digests and bytes', async () => {
    const layer = image.layers[0]!;
    expect(layer.size).toBeGreaterThan(200 * MiB);
    const ctx = { dir: tmp };

    await skopeoCopy(ctx, `oci:${join(tmp, 'layout-in')}:v1`, ref, { destCreds: creds });

    const layoutOut = join(tmp, 'layout-out');
    await skopeoCopy(ctx, ref, `oci:${layoutOut}:v1`, { srcCreds: creds });
    const out = readOciLayout(layoutOut, 'v1');
    expect(out.manifest.digest).toBe(image.manifest.digest);
    expect(out.manifest.bytes.equals(image.manifest.bytes)).toBe(true);
    expect(out.layers.map((l) => l.digest)).toEqual([layer.digest]);
    expect(await digestFile(out.blobPath(layer.digest))).toEqual({ digest: layer.digest, size: layer.size });
    expect(await digestFile(out.blobPath(image.config.digest))).toEqual({
      digest: image.config.digest,
      size: image.config.size,
    });
  });

  it('skopeo inspect reports the digest and layers, and --raw returns the pushed manifest bytes', async () => {
    const ctx = { dir: tmp };
    const inspected = await skopeoInspect(ctx, ref, creds);
    expect(inspected.Digest).toBe(image.manifest.digest);
    expect(inspected.Layers).toEqual([image.layers[0]!.digest]);
    expect(inspected.Labels?.['org.wharf.test.nonce']).toBeTruthy();
    const raw = await skopeoInspectRaw(ctx, ref, creds);
    expect(raw.equals(image.manifest.bytes)).toBe(true);
  });

  it('refuses the copy without credentials', async () => {
    const r = await trySkopeoCopy(
      { dir: tmp },
      `oci:${join(tmp, 'layout-in')}:v1`,
      `docker://${wharf.registryHost}/docker-hosted/anon:v1`,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unauthorized|authentication required/i);
  });
});
