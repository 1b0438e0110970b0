import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBucket, createTestBucket } from '../services/buckets';
import { buildBusyboxRootfs } from '../support/busybox-image';
import { Cleanup } from '../support/cleanup';
import { buildDiskImage, digestFile, readOciLayout, writeOciLayout } from '@wharf/test-kit';
import { Dockerd, pushedDigest } from '../support/dockerd';
import { basicAuth, send } from '../support/http';
import { skopeoCopy } from '../support/skopeo';
import { ADMIN_USER, Wharf } from '../support/wharf';

const MiB = 1 << 20;

// A hosted repository whose blobs live in an S3 bucket (the run's Ceph RGW): a real Docker daemon
// pushes to it and a clean one pulls and runs the image; skopeo copies a 60 MiB layer (multipart
// parts) in and out byte for byte. Nothing of the content lands in the data directory.
describe('a hosted repository on an S3 blob store (Ceph RGW), with real clients', () => {
  const cleanup = new Cleanup();
  let tmp: string;
  let wharf: Wharf;
  let bucket: TestBucket;
  let registry: string;

  beforeAll(async () => {
    tmp = cleanup.tempDir('s3-store');
    bucket = await createTestBucket({ create: false });
    cleanup.add('bucket', () => bucket.remove());
    wharf = cleanup.stopping('wharf', await Wharf.start({ dir: tmp }));
    const created = await wharf.rest.post('/service/rest/v1/blobstores/s3', bucket.restBody('s3', 'e2e'));
    expect(created.status, created.text()).toBe(201);
    registry = `127.0.0.1:${await wharf.createHostedRepo('on-s3', { blobStoreName: 's3' })}`;
  });
  afterAll(() => cleanup.run());

  it('takes a docker push and gives the same image to a clean daemon, which runs it', async () => {
    const image = `${registry}/team/app:1`;
    const daemonA = cleanup.stopping('dockerd A', await Dockerd.start({ dir: tmp, name: 'da', insecureRegistries: [registry] }));
    const daemonB = cleanup.stopping('dockerd B', await Dockerd.start({ dir: tmp, name: 'db', insecureRegistries: [registry] }));
    await daemonA.dockerOk(['import', await buildBusyboxRootfs(tmp), image]);
    expect((await daemonA.login(registry, ADMIN_USER, wharf.adminPassword)).code).toBe(0);
    const push = await daemonA.dockerOk(['push', image]);
    const pushed = pushedDigest(push.stdout);

    expect((await daemonB.login(registry, ADMIN_USER, wharf.adminPassword)).code).toBe(0);
    const pull = await daemonB.dockerOk(['pull', image]);
    expect(pull.stdout).toContain(`Digest: ${pushed}`);
    const run = await daemonB.dockerOk(['run', '--rm', '--network', 'none', image, '/bin/busybox', 'echo', 'ok']);
    expect(run.stdout.trim()).toBe('ok');

    const keys = await bucket.keys();
    expect(keys.filter((k) => k.startsWith('e2e/blobs/sha256/')).length).toBeGreaterThanOrEqual(3); // layer, config, manifest
    expect(keys.filter((k) => k.includes('/uploads/')), 'no upload session left behind').toEqual([]);
    expect(await bucket.openUploads()).toBe(0);
  });

  it('copies a 60 MiB layer in and out with skopeo, byte for byte', async () => {
    const built = await buildDiskImage(join(tmp, 'image'), { layers: [60 * MiB, 3 * MiB], format: 'oci', gzip: true });
    writeOciLayout(join(tmp, 'layout-in'), built, 'v1');
    const creds = wharf.adminCredentials;
    const ref = `docker://${registry}/big:v1`;
    await skopeoCopy({ dir: tmp }, `oci:${join(tmp, 'layout-in')}:v1`, ref, { destCreds: creds });
    await skopeoCopy({ dir: tmp }, ref, `oci:${join(tmp, 'layout-out')}:v1`, { srcCreds: creds });
    const out = readOciLayout(join(tmp, 'layout-out'), 'v1');
    expect(out.manifest.digest).toBe(built.manifest.digest);
    for (const layer of built.layers) {
      expect(await digestFile(out.blobPath(layer.digest))).toEqual({ digest: layer.digest, size: layer.size });
    }
    const big = built.layers[0]!.digest.slice('sha256:'.length);
    expect(await bucket.keys()).toContain(`e2e/blobs/sha256/${big.slice(0, 2)}/${big}`);
  });

  it('serves the same layers through presigned redirects when the store is set to redirect (skopeo follows them)', async () => {
    const s = bucket.store;
    const on = await wharf.rest.put('/service/rest/v1/blobstores/s3/s3', {
      name: 's3',
      bucketConfiguration: {
        bucket: { name: s.bucket, region: s.region, prefix: 'e2e', expiration: 3 },
        bucketSecurity: { accessKeyId: s.accessKeyId },
        advancedBucketConnection: { endpoint: s.endpoint, forcePathStyle: true, redirect: true },
      },
    });
    expect(on.status, on.text()).toBe(204);
    const creds = wharf.adminCredentials;
    const layer = readOciLayout(join(tmp, 'layout-in'), 'v1').layers[0]!;
    const direct = await send(`http://${registry}/v2/big/blobs/${layer.digest}`, { headers: { Authorization: basicAuth(ADMIN_USER, wharf.adminPassword) } });
    expect(direct.status).toBe(307);
    expect(direct.headers.location).toMatch(new RegExp(`^${s.endpoint}/`));
    await skopeoCopy({ dir: tmp }, `docker://${registry}/big:v1`, `oci:${join(tmp, 'layout-redirected')}:v1`, { srcCreds: creds });
    const out = readOciLayout(join(tmp, 'layout-redirected'), 'v1');
    const original = readOciLayout(join(tmp, 'layout-in'), 'v1');
    expect(out.manifest.digest).toBe(original.manifest.digest);
    for (const layer of original.layers) {
      expect(await digestFile(out.blobPath(layer.digest))).toEqual({ digest: layer.digest, size: layer.size });
    }
  });
});
