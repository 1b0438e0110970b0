import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TestBucket, createTestBucket } from '../services/buckets';
import { buildBusyboxRootfs } from '../support/busybox-image';
import { wharfSuite } from '../support/wharf-suite';
import { buildDiskImage, digestFile, readOciLayout, writeOciLayout } from '@wharf/test-kit';
import { Dockerd, pushedDigest } from '../support/dockerd';
import { basicAuth, send } from '../support/http';
import { skopeoCopy } from '../support/skopeo';
import { ADMIN_USER } from '../support/wharf';

const MiB = 1 << 20;

// A hosted repository whose blobs live in an S3 bucket (the run's Ceph RGW): a real Docker daemon
// pushes to it and a clean one pulls and runs the image; skopeo copies a 60 MiB layer (multipart
// parts) in and out byte for byte. Nothing of the content lands in the data directory.
describe('a hosted repository on an S3 blob store (Ceph RGW), with real clients', () => {
  const suite = wharfSuite('s3-store');
  let bucket: TestBucket;
  let registry: string;

  beforeAll(async () => {
    bucket = await createTestBucket({ create: false });
    suite.cleanup.add('bucket', () => bucket.remove());
    const created = await suite.wharf.rest.post('/service/rest/v1/blobstores/s3', bucket.restBody('s3', 'e2e'));
    expect(created.status, created.text()).toBe(201);
    registry = `127.0.0.1:${await suite.wharf.createHostedRepo('on-s3', { blobStoreName: 's3' })}`;
  });

  it('takes a docker push and gives the same image to a clean daemon, which runs it', async () => {
    const image = `${registry}/team/app:1`;
    const daemonA = suite.cleanup.stopping('dockerd A', await Dockerd.start({ dir: suite.dir, name: 'da', insecureRegistries: [registry] }));
    const daemonB = suite.cleanup.stopping('dockerd B', await Dockerd.start({ dir: suite.dir, name: 'db', insecureRegistries: [registry] }));
    await daemonA.dockerOk(['import', await buildBusyboxRootfs(suite.dir), image]);
    expect((await daemonA.login(registry, ADMIN_USER, suite.wharf.adminPassword)).code).toBe(0);
    const push = await daemonA.dockerOk(['push', image]);
    const pushed = pushedDigest(push.stdout);

    expect((await daemonB.login(registry, ADMIN_USER, suite.wharf.adminPassword)).code).toBe(0);
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
    const built = await buildDiskImage(join(suite.dir, 'image'), { layers: [60 * MiB, 3 * MiB], format: 'oci', gzip: true });
    writeOciLayout(join(suite.dir, 'layout-in'), built, 'v1');
    const creds = suite.wharf.adminCredentials;
    const ref = `docker://${registry}/big:v1`;
    await skopeoCopy({ dir: suite.dir }, `oci:${join(suite.dir, 'layout-in')}:v1`, ref, { destCreds: creds });
    await skopeoCopy({ dir: suite.dir }, ref, `oci:${join(suite.dir, 'layout-out')}:v1`, { srcCreds: creds });
    const out = readOciLayout(join(suite.dir, 'layout-out'), 'v1');
    expect(out.manifest.digest).toBe(built.manifest.digest);
    for (const layer of built.layers) {
      expect(await digestFile(out.blobPath(layer.digest))).toEqual({ digest: layer.digest, size: layer.size });
    }
    const big = built.layers[0]!.digest.slice('sha256:'.length);
    expect(await bucket.keys()).toContain(`e2e/blobs/sha256/${big.slice(0, 2)}/${big}`);
  });

  it('serves the same layers through presigned redirects when the store is set to redirect (skopeo follows them)', async () => {
    const s = bucket.store;
    const on = await suite.wharf.rest.put('/service/rest/v1/blobstores/s3/s3', {
      name: 's3',
      bucketConfiguration: {
        bucket: { name: s.bucket, region: s.region, prefix: 'e2e', expiration: 3 },
        bucketSecurity: { accessKeyId: s.accessKeyId },
        advancedBucketConnection: { endpoint: s.endpoint, forcePathStyle: true, redirect: true },
      },
    });
    expect(on.status, on.text()).toBe(204);
    const creds = suite.wharf.adminCredentials;
    const layer = readOciLayout(join(suite.dir, 'layout-in'), 'v1').layers[0]!;
    const direct = await send(`http://${registry}/v2/big/blobs/${layer.digest}`, { headers: { Authorization: basicAuth(ADMIN_USER, suite.wharf.adminPassword) } });
    expect(direct.status).toBe(307);
    expect(direct.headers.location).toMatch(new RegExp(`^${s.endpoint}/`));
    await skopeoCopy({ dir: suite.dir }, `docker://${registry}/big:v1`, `oci:${join(suite.dir, 'layout-redirected')}:v1`, { srcCreds: creds });
    const out = readOciLayout(join(suite.dir, 'layout-redirected'), 'v1');
    const original = readOciLayout(join(suite.dir, 'layout-in'), 'v1');
    expect(out.manifest.digest).toBe(original.manifest.digest);
    for (const layer of original.layers) {
      expect(await digestFile(out.blobPath(layer.digest))).toEqual({ digest: layer.digest, size: layer.size });
    }
  });

  it('prints no process warning: the AWS SDK loaded for the store says nothing about the Node.js version', () => {
    // Node prints a process warning as "(node:<pid>) <Name>Warning: ..." on stderr, which goes to this log.
    const log = readFileSync(suite.wharf.logFile, 'utf8');
    expect(log).toContain('POST /service/rest/v1/blobstores/s3'); // the store was created (and its client made) by this process
    expect(log.match(/^\(node:\d+\) .*$/gm) ?? []).toEqual([]);
    expect(log).not.toContain('NodeVersionSupportWarning');
  });
});
