import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxRootfs } from '../busybox-image';
import { Cleanup } from '../cleanup';
import { buildDiskImage, digestFile, readOciLayout, writeOciLayout } from '@wharf/test-kit';
import { Distribution } from '../distribution';
import { Dockerd } from '../dockerd';
import { GatedFileStream } from '../gated-stream';
import { header } from '../http';
import { ManagedProcess } from '../process';
import { RegistryClient, withDigest } from '../registry-client';
import { skopeoCopy, skopeoInspect } from '../skopeo';

// Proves the harness against the reference registry, before and independently of Wharf.
describe('e2e harness against CNCF Distribution', () => {
  const cleanup = new Cleanup();
  let tmp: string;
  let upstream: Distribution;
  let mirror: Distribution;

  beforeAll(async () => {
    tmp = cleanup.tempDir('selftest');
    upstream = cleanup.stopping('upstream', await Distribution.start({ dir: tmp, name: 'upstream' }));
    mirror = cleanup.stopping('mirror', await Distribution.start({ dir: tmp, name: 'mirror', proxy: { remoteUrl: upstream.url } }));
  });
  afterAll(() => cleanup.run());

  it('pushes and pulls synthetic images over HTTP with every upload mode', async () => {
    const client = new RegistryClient({ baseUrl: upstream.url });
    expect((await client.ping()).status).toBe(200);
    for (const mode of ['monolithic', 'chunked', 'stream'] as const) {
      const image = await buildDiskImage(join(tmp, `img-${mode}`), {
        layers: [1000, 20 << 20],
        format: mode === 'chunked' ? 'oci' : 'docker',
      });
      const digest = await client.pushImage(`selftest/${mode}`, 'v1', image, { mode, chunkSize: 5 << 20 });
      expect(digest).toBe(image.manifest.digest);
      const pulled = await client.pull(`selftest/${mode}`, 'v1');
      expect(pulled.digest).toBe(image.manifest.digest);
      expect(pulled.headerDigest).toBe(image.manifest.digest);
      expect(pulled.config).toMatchObject({ status: 200, digest: image.config.digest, size: image.config.size });
      expect(pulled.layers.map((l) => [l.status, l.digest, l.size])).toEqual(
        image.layers.map((l) => [200, l.digest, l.size]),
      );
      for (const l of image.layers) expect(await digestFile(l.path)).toEqual({ digest: l.digest, size: l.size });
    }
  });

  it('holds a streamed PATCH at a byte count and completes it after release', async () => {
    const client = new RegistryClient({ baseUrl: upstream.url });
    const image = await buildDiskImage(join(tmp, 'img-gated'), { layers: [32 << 20], format: 'docker' });
    const layer = image.layers[0]!;
    const location = await client.startUpload('selftest/gated');
    const body = new GatedFileStream(layer.path, layer.size, 16 << 20);
    const response = client.request('PATCH', location.toString(), {
      name: 'selftest/gated',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: () => body,
    });
    await body.paused;
    expect(body.bytesRead).toBe(16 << 20);
    body.release();
    const patched = await response;
    expect(patched.status).toBe(202);
    const put = await client.request('PUT', withDigest(client.location(patched), layer.digest).toString(), {
      name: 'selftest/gated',
    });
    expect(put.status).toBe(201);
    expect(header(put.headers, 'docker-content-digest')).toBe(layer.digest);
  });

  it('skopeo copies an OCI layout in and out with identical digests', async () => {
    const image = await buildDiskImage(join(tmp, 'img-skopeo'), { layers: [8 << 20], format: 'oci', gzip: true });
    const layoutIn = join(tmp, 'layout-in');
    writeOciLayout(layoutIn, image, 'v1');
    const ctx = { dir: tmp };
    await skopeoCopy(ctx, `oci:${layoutIn}:v1`, `docker://${upstream.host}/selftest/big:v1`);
    const inspected = await skopeoInspect(ctx, `docker://${upstream.host}/selftest/big:v1`);
    expect(inspected.Digest).toBe(image.manifest.digest);
    expect(inspected.Layers).toEqual(image.layers.map((l) => l.digest));
    const layoutOut = join(tmp, 'layout-out');
    await skopeoCopy(ctx, `docker://${upstream.host}/selftest/big:v1`, `oci:${layoutOut}:v1`);
    const out = readOciLayout(layoutOut, 'v1');
    expect(out.manifest.digest).toBe(image.manifest.digest);
    expect(await digestFile(out.blobPath(image.layers[0]!.digest))).toEqual({
      digest: image.layers[0]!.digest,
      size: image.layers[0]!.size,
    });
  });

  it('two private dockerds push and pull busybox, also through a registry mirror', async () => {
    const a = cleanup.stopping('dockerd a', await Dockerd.start({ dir: tmp, name: 'da' }));
    const b = cleanup.stopping('dockerd b', await Dockerd.start({ dir: tmp, name: 'db', registryMirrors: [mirror.url] }));

    const rootfs = await buildBusyboxRootfs(tmp);
    const ref = `${upstream.host}/library/busybox:1.36`;
    await a.dockerOk(['import', rootfs, ref]);
    const push = await a.dockerOk(['push', ref]);
    const pushed = /digest: (sha256:[a-f0-9]{64})/.exec(push.stdout)?.[1];
    expect(pushed).toMatch(/^sha256:/);

    await b.dockerOk(['pull', ref]);
    const repoDigests = JSON.parse((await b.dockerOk(['image', 'inspect', '--format', '{{json .RepoDigests}}', ref])).stdout);
    expect(repoDigests).toContain(`${upstream.host}/library/busybox@${pushed}`);

    const before = mirror.requests().length;
    await b.dockerOk(['pull', 'busybox:1.36']); // Docker Hub name: only reachable through the mirror
    expect(mirror.requests().length).toBeGreaterThan(before);
    const run = await b.dockerOk(['run', '--rm', '--network', 'none', 'busybox:1.36', '/bin/busybox', 'echo', 'ok']);
    expect(run.stdout.trim()).toBe('ok');
  });
});

describe('ManagedProcess.waitUntilReady', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it('gives up as soon as the daemon exits, with its log in the error', async () => {
    const dir = cleanup.tempDir('ready-exit');
    const proc = ManagedProcess.start({ name: 'quitter', command: 'sh', args: ['-c', 'echo cannot bind; exit 3'], logFile: join(dir, 'q.log') });
    const started = Date.now();
    const error = await proc.waitUntilReady('never', () => false, { timeoutMs: 30_000 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/quitter exited \(\{"code":3/);
    expect((error as Error).message).toContain('cannot bind');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('kills a daemon that never gets ready', async () => {
    const dir = cleanup.tempDir('ready-timeout');
    const proc = ManagedProcess.start({ name: 'sleeper', command: 'sleep', args: ['60'], logFile: join(dir, 's.log') });
    const error = await proc.waitUntilReady('the sleeper to wake', () => false, { timeoutMs: 300 }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/timed out after 300 ms waiting for the sleeper to wake/);
    expect(proc.running).toBe(false);
  });
});
