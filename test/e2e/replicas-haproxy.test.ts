import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBucket, createTestBucket, testS3Client } from '../services/buckets';
import { createPostgresDatabase, dropPostgresDatabase } from '../services/databases';
import { buildBusyboxRootfs } from '../support/busybox-image';
import { Cleanup } from '../support/cleanup';
import { Distribution } from '../support/distribution';
import { Dockerd } from '../support/dockerd';
import { UpstreamRegistry, Gate } from '@wharf/test-kit';
import { Haproxy } from '../support/haproxy';
import { makeTempDir, removeDir } from '../support/paths';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';
import { ADMIN_USER, Wharf } from '../support/wharf';

const MiB = 1 << 20;
const REPOSITORIES = '/service/rest/v1/repositories';
const LB = '127.0.0.3';

// Two Wharf processes (replicas A on 127.0.0.1 and B on 127.0.0.2) on one PostgreSQL database and one S3
// bucket (Ceph RGW), behind HAProxy on 127.0.0.3 balancing every request round-robin over the main port and
// the connector ports, as docs/replicas.md describes. Real Docker daemons push and pull through the balancer;
// then one replica is killed (SIGKILL) in the middle of a push and of a cold pull through the proxy.
describe('two replicas behind HAProxy, with real docker', () => {
  const cleanup = new Cleanup();
  let tmp: string;
  let bucket: TestBucket;
  let a: Wharf;
  let b: Wharf;
  let lb: Haproxy;
  let upstream: Distribution;
  /** Between the proxy and Distribution: counts requests and can hold blob GETs. */
  let faults: UpstreamRegistry;
  const ports = { main: 0, hosted: 0, proxy: 0, group: 0 };
  const registry = (port: number) => `${LB}:${port}`;
  let seeded: { ref: string; digest: string };
  let adminPassword: string;

  async function cleanDaemon(name: string): Promise<Dockerd> {
    const d = await Dockerd.start({ dir: tmp, name });
    cleanup.add(`dockerd ${name}`, () => d.stop());
    return d;
  }

  /** An image of busybox plus one layer of random bytes per size (docker commit), tagged `ref`. */
  async function multiLayerImage(d: Dockerd, ref: string, sizes: number[]): Promise<void> {
    await d.dockerOk(['import', await buildBusyboxRootfs(tmp), ref]);
    for (const [i, size] of sizes.entries()) {
      const box = `layer-${i}-${Date.now()}`;
      await d.dockerOk(['run', '--name', box, '--network', 'none', ref, '/bin/busybox', 'sh', '-c', `/bin/busybox head -c ${size} /dev/urandom > /data-${i}`]);
      await d.dockerOk(['commit', box, ref]);
      await d.dockerOk(['rm', box]);
    }
  }

  const pushedDigest = (stdout: string) => /digest: (sha256:[a-f0-9]{64})/.exec(stdout)?.[1];

  /** Every blob object in the bucket has the content its key names: nothing partial is ever visible. */
  async function expectOnlyWholeBlobs(): Promise<number> {
    const client = testS3Client();
    try {
      const blobs = (await bucket.keys()).filter((k) => k.includes('/blobs/sha256/'));
      for (const key of blobs) {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
        const hash = createHash('sha256');
        for await (const chunk of object.Body as AsyncIterable<Buffer>) hash.update(chunk);
        expect(`sha256:${hash.digest('hex')}`, key).toBe(`sha256:${key.slice(key.lastIndexOf('/') + 1)}`);
      }
      return blobs.length;
    } finally {
      client.destroy();
    }
  }

  function startReplica(name: string, host: string, databaseUrl: string): Promise<Wharf> {
    return Wharf.start({
      dir: join(tmp, name),
      host,
      port: ports.main,
      adminPassword,
      env: { WHARF_DATABASE_URL: databaseUrl, WHARF_SECRET_KEY_FILE: join(tmp, 'config.key') },
    });
  }

  beforeAll(async () => {
    tmp = makeTempDir('replicas-lb');
    cleanup.add('temp dir', () => removeDir(tmp));
    adminPassword = `pw-${Math.random().toString(36).slice(2)}`;
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
    const databaseUrl = await createPostgresDatabase();
    cleanup.add('database', () => dropPostgresDatabase(databaseUrl));
    bucket = await createTestBucket({ create: false });
    cleanup.add('bucket', () => bucket.remove());

    // The upstream of the proxy: Distribution, seeded by a real docker push.
    upstream = await Distribution.start({ dir: tmp, name: 'upstream' });
    cleanup.add('upstream', () => upstream.stop());
    faults = await UpstreamRegistry.start({ target: upstream.url });
    cleanup.add('fault proxy', () => faults.stop());
    const seeder = await Dockerd.start({ dir: tmp, name: 'seed' });
    cleanup.add('dockerd seed', () => seeder.stop());
    const seedRef = `${upstream.host}/team/seed:1`;
    await multiLayerImage(seeder, seedRef, [3 * MiB]);
    seeded = { ref: 'team/seed:1', digest: pushedDigest((await seeder.dockerOk(['push', seedRef])).stdout)! };
    expect(seeded.digest).toMatch(/^sha256:/);

    a = await startReplica('a', '127.0.0.1', databaseUrl);
    cleanup.add('replica A', () => a.stop());
    b = await startReplica('b', '127.0.0.2', databaseUrl);
    cleanup.add('replica B', () => b.stop());

    expect((await a.rest.post('/service/rest/v1/blobstores/s3', bucket.restBody('s3', 'lb'))).status).toBe(201);
    await a.createHostedRepo('hosted', { httpPort: ports.hosted, blobStoreName: 's3' });
    const proxy = await a.rest.post(`${REPOSITORIES}/docker/proxy`, {
      name: 'proxy',
      online: true,
      storage: { blobStoreName: 's3', strictContentTypeValidation: true },
      proxy: { remoteUrl: faults.url, contentMaxAge: 1440, metadataMaxAge: 1440 },
      negativeCache: { enabled: true, timeToLive: 1440 },
      httpClient: { blocked: false, autoBlock: true, authentication: null },
      docker: { v1Enabled: false, forceBasicAuth: true, httpPort: ports.proxy },
      dockerProxy: { indexType: 'REGISTRY', indexUrl: null },
    });
    expect(proxy.status, proxy.text()).toBe(201);
    const group = await a.rest.post(`${REPOSITORIES}/docker/group`, {
      name: 'group',
      online: true,
      storage: { blobStoreName: 's3', strictContentTypeValidation: true },
      group: { memberNames: ['hosted', 'proxy'] },
      docker: { v1Enabled: false, forceBasicAuth: true, httpPort: ports.group },
    });
    expect(group.status, group.text()).toBe(201);

    // HAProxy starts once every replica answers on every port (B opened A's connectors on its own).
    lb = await Haproxy.start({
      dir: tmp,
      address: LB,
      ports: Object.values(ports),
      healthPort: ports.main,
      servers: [
        { name: 'a', address: '127.0.0.1' },
        { name: 'b', address: '127.0.0.2' },
      ],
    });
    cleanup.add('haproxy', () => lb.stop());
  });
  afterAll(() => cleanup.run());

  it('takes a multi-layer docker push whose requests reach both replicas, and a clean daemon pulls and runs it', async () => {
    const pusher = await cleanDaemon('push');
    const ref = `${registry(ports.hosted)}/team/app:1`;
    await multiLayerImage(pusher, ref, [4 * MiB, 6 * MiB, 8 * MiB]);
    expect((await pusher.login(registry(ports.hosted), ADMIN_USER, adminPassword)).code).toBe(0);
    const digest = pushedDigest((await pusher.dockerOk(['push', ref])).stdout);
    expect(digest).toMatch(/^sha256:/);
    const served = await lb.backend(ports.hosted);
    expect(served.map((s) => s.total > 0), JSON.stringify(served)).toEqual([true, true]);

    const puller = await cleanDaemon('pull');
    expect((await puller.login(registry(ports.hosted), ADMIN_USER, adminPassword)).code).toBe(0);
    expect((await puller.dockerOk(['pull', ref])).stdout).toContain(`Digest: ${digest}`);
    const run = await puller.dockerOk(['run', '--rm', '--network', 'none', ref, '/bin/busybox', 'wc', '-c', '/data-2']);
    expect(run.stdout.trim()).toBe(`${8 * MiB} /data-2`);
    // Through the group as well (hosted member).
    expect((await puller.login(registry(ports.group), ADMIN_USER, adminPassword)).code).toBe(0);
    expect((await puller.dockerOk(['pull', `${registry(ports.group)}/team/app:1`])).stdout).toContain(`Digest: ${digest}`);
  });

  it('pulls through the proxy and the group on clean daemons, each upstream blob fetched once', async () => {
    const viaProxy = await cleanDaemon('proxied');
    expect((await viaProxy.login(registry(ports.proxy), ADMIN_USER, adminPassword)).code).toBe(0);
    expect((await viaProxy.dockerOk(['pull', `${registry(ports.proxy)}/${seeded.ref}`])).stdout).toContain(`Digest: ${seeded.digest}`);
    const viaGroup = await cleanDaemon('grouped');
    expect((await viaGroup.login(registry(ports.group), ADMIN_USER, adminPassword)).code).toBe(0);
    expect((await viaGroup.dockerOk(['pull', `${registry(ports.group)}/${seeded.ref}`])).stdout).toContain(`Digest: ${seeded.digest}`);
    const run = await viaGroup.dockerOk(['run', '--rm', '--network', 'none', `${registry(ports.group)}/${seeded.ref}`, '/bin/busybox', 'echo', 'ok']);
    expect(run.stdout.trim()).toBe('ok');
    const blobGets = faults.requests.filter((r) => r.kind === 'blob-get');
    const perDigest = new Map<string, number>();
    for (const r of blobGets) perDigest.set(r.reference!, (perDigest.get(r.reference!) ?? 0) + 1);
    expect(perDigest.size).toBeGreaterThan(0);
    expect([...perDigest.values()], JSON.stringify(blobGets)).toEqual(Array(perDigest.size).fill(1));
  });

  it('kill -9 of a replica in the middle of a push: docker retries through the other, the image pulls whole', async () => {
    const pusher = await cleanDaemon('push-killed');
    const ref = `${registry(ports.hosted)}/team/killed:1`;
    await multiLayerImage(pusher, ref, [40 * MiB, 40 * MiB, 40 * MiB]);
    expect((await pusher.login(registry(ports.hosted), ADMIN_USER, adminPassword)).code).toBe(0);
    const push = pusher.docker(['push', ref]);
    // Kill the replica that is receiving layer bytes (an upload body in flight through it).
    const before = new Map((await lb.backend(ports.hosted)).map((s) => [s.server, s.bytesIn]));
    const busy = await waitFor('a replica receiving upload bytes', async () => {
      const rows = await lb.backend(ports.hosted);
      return rows.find((s) => s.current > 0 && s.bytesIn - before.get(s.server)! > 4 * MiB)?.server;
    }, { timeoutMs: 120_000, intervalMs: 50 });
    const victim = busy === 'a' ? a : b;
    await victim.kill9();
    const result = await push;
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const digest = pushedDigest(result.stdout);
    await victim.start();

    const puller = await cleanDaemon('pull-killed');
    expect((await puller.login(registry(ports.hosted), ADMIN_USER, adminPassword)).code).toBe(0);
    expect((await puller.dockerOk(['pull', ref])).stdout).toContain(`Digest: ${digest}`);
    expect(await expectOnlyWholeBlobs()).toBeGreaterThan(0);
  });

  it('kill -9 of the replica filling a cold blob: the pull is retried through the other and completes', async () => {
    const seeder = await cleanDaemon('seed-cold');
    const seedRef = `${upstream.host}/team/cold:1`;
    await multiLayerImage(seeder, seedRef, [60 * MiB]);
    const digest = pushedDigest((await seeder.dockerOk(['push', seedRef])).stdout);
    await waitFor('both replicas in the balancer', async () => (await lb.backend(ports.proxy)).every((s) => s.status === 'UP'), { timeoutMs: 30_000 });

    const puller = await cleanDaemon('pull-cold');
    expect((await puller.login(registry(ports.proxy), ADMIN_USER, adminPassword)).code).toBe(0);
    // The upstream holds its blob answers: a replica is then filling (its client's request open) when killed.
    const gate = new Gate();
    faults.holdBlobGets = gate;
    const pull = puller.docker(['pull', `${registry(ports.proxy)}/team/cold:1`]);
    let victim: Wharf;
    try {
      await faults.waitForRequest((r) => r.kind === 'blob-get' && r.path.includes('team/cold'), 120_000);
      const busy = await waitFor('a replica with a blob request open', async () => (await lb.backend(ports.proxy)).find((s) => s.current > 0)?.server, {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      victim = busy === 'a' ? a : b;
      await victim.kill9();
    } finally {
      gate.open();
      faults.holdBlobGets = null;
    }
    const result = await pull;
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain(`Digest: ${digest}`);
    const run = await puller.dockerOk(['run', '--rm', '--network', 'none', `${registry(ports.proxy)}/team/cold:1`, '/bin/busybox', 'wc', '-c', '/data-0']);
    expect(run.stdout.trim()).toBe(`${60 * MiB} /data-0`);
    await victim.start();
    expect(await expectOnlyWholeBlobs()).toBeGreaterThan(0);
  });
});
