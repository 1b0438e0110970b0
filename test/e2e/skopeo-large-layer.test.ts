import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { wharfSuite } from '../support/wharf-suite';
import { buildDiskImage, digestFile, type DiskImage, readOciLayout, writeOciLayout } from '@wharf/test-kit';
import { skopeoCopy, skopeoInspect, skopeoInspectRaw, trySkopeoCopy, type SkopeoCreds } from '../support/skopeo';

const MiB = 1 << 20;

// skopeo copies an image with a 200 MiB layer into a hosted repository addressed by path on the
// main port (/v2/<repo>/<image>/...), and back out, byte for byte.
describe('skopeo copy of a 200 MiB layer via path routing on the main port', () => {
  const suite = wharfSuite('skopeo-large');
  let image: DiskImage;
  let creds: SkopeoCreds;
  let ref: string;

  beforeAll(async () => {
    // gzip (stored blocks): skopeo would otherwise compress the layer and change its digest.
    image = await buildDiskImage(join(suite.dir, 'image'), { layers: [200 * MiB], format: 'oci', gzip: true });
    writeOciLayout(join(suite.dir, 'layout-in'), image, 'v1');
    await suite.wharf.createHostedRepo('docker-hosted');
    creds = suite.wharf.adminCredentials;
    ref = `docker://${suite.wharf.registryHost}/docker-hosted/big:v1`;
  });

  it('copies the image in and out with identical manifest and layer digests and bytes', async () => {
    const layer = image.layers[0]!;
    expect(layer.size).toBeGreaterThan(200 * MiB);
    const ctx = { dir: suite.dir };

    await skopeoCopy(ctx, `oci:${join(suite.dir, 'layout-in')}:v1`, ref, { destCreds: creds });

    const layoutOut = join(suite.dir, 'layout-out');
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
    const ctx = { dir: suite.dir };
    const inspected = await skopeoInspect(ctx, ref, creds);
    expect(inspected.Digest).toBe(image.manifest.digest);
    expect(inspected.Layers).toEqual([image.layers[0]!.digest]);
    expect(inspected.Labels?.['org.wharf.test.nonce']).toBeTruthy();
    const raw = await skopeoInspectRaw(ctx, ref, creds);
    expect(raw.equals(image.manifest.bytes)).toBe(true);
  });

  it('refuses the copy without credentials', async () => {
    const r = await trySkopeoCopy(
      { dir: suite.dir },
      `oci:${join(suite.dir, 'layout-in')}:v1`,
      `docker://${suite.wharf.registryHost}/docker-hosted/anon:v1`,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unauthorized|authentication required/i);
  });
});
