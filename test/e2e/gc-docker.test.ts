import type { ComponentJson, PageJson } from '@wharf/api-types';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxRootfs } from '../support/busybox-image';
import { Dockerd } from '../support/dockerd';
import { RegistryClient } from '../support/registry-client';
import { runTask, setGrace } from '../support/tasks';
import { committedBlobPath, storageFiles, totalSize } from '../support/wharf-data';
import { ADMIN_USER } from '../support/wharf';
import { wharfSuite } from '../support/wharf-suite';

// Issue 14, with real clients: a Docker daemon pushes two images built on one base layer; one tag is
// deleted through the REST API (DELETE /service/rest/v1/components/{id}); the cleanup task run through
// the REST API frees exactly the bytes only that image held, on disk; a clean daemon still pulls and
// runs the other image.

const REPO = 'gc-hosted';
const UNIQUE_BYTES = 3_000_000;

interface Descriptor {
  digest: string;
  size: number;
}

/** The digests and sizes an image holds in the store: its manifest's own bytes, its config and its layers. */
async function blobsOf(client: RegistryClient, name: string, tag: string): Promise<Map<string, number>> {
  const res = await client.getManifest(name, tag);
  expect(res.status, res.text()).toBe(200);
  const manifest = res.json() as { config: Descriptor; layers: Descriptor[] };
  const digest = res.headers['docker-content-digest'] as string;
  return new Map<string, number>([[digest, res.body.length], ...[manifest.config, ...manifest.layers].map((d): [string, number] => [d.digest, d.size])]);
}

const blobBytes = (dataDir: string) => totalSize(storageFiles(dataDir).filter((f) => f.path.startsWith('blobs/blobs/')));

describe('docker push, delete a tag through the REST API, run the cleanup task', () => {
  const suite = wharfSuite('gc-docker');
  let registry: string;
  let client: RegistryClient;
  let pusher: Dockerd;
  let puller: Dockerd;

  beforeAll(async () => {
    const connector = await suite.wharf.createHostedRepo(REPO);
    registry = `127.0.0.1:${connector}`;
    client = new RegistryClient({ baseUrl: `http://${registry}`, username: ADMIN_USER, password: suite.wharf.adminPassword });
    pusher = suite.cleanup.stopping('dockerd A', await Dockerd.start({ dir: suite.dir, name: 'da', insecureRegistries: [registry] }));
    puller = suite.cleanup.stopping('dockerd B', await Dockerd.start({ dir: suite.dir, name: 'db', insecureRegistries: [registry] }));
    expect((await pusher.login(registry, ADMIN_USER, suite.wharf.adminPassword)).code).toBe(0);
    expect((await puller.login(registry, ADMIN_USER, suite.wharf.adminPassword)).code).toBe(0);

    // One base layer (busybox), and on top of it one layer of random bytes per image.
    await pusher.dockerOk(['import', await buildBusyboxRootfs(suite.dir), 'gc-base:1']);
    for (const name of ['one', 'two']) {
      await pusher.dockerOk(['run', '--name', `gc-${name}`, '--network', 'none', 'gc-base:1', '/bin/busybox', 'sh', '-c', `/bin/busybox head -c ${UNIQUE_BYTES} /dev/urandom > /${name}.bin`]);
      await pusher.dockerOk(['commit', `gc-${name}`, `${registry}/team/app:${name}`]);
      await pusher.dockerOk(['push', `${registry}/team/app:${name}`]);
    }
  });

  it('frees on disk the bytes only the deleted image held; the image sharing its base still pulls and runs', async () => {
    const one = await blobsOf(client, 'team/app', 'one');
    const two = await blobsOf(client, 'team/app', 'two');
    const shared = [...one.keys()].filter((d) => two.has(d));
    expect(shared.length, 'the two images share the base layer').toBe(1);
    const unique = [...one].filter(([d]) => !two.has(d));
    const uniqueBytes = unique.reduce((n, [, size]) => n + size, 0);
    expect(uniqueBytes).toBeGreaterThan(UNIQUE_BYTES / 2); // random bytes: the gzipped layer stays big

    // What the REST API says deleting it would free, before deleting it.
    const [manifestDigest] = [...one.keys()];
    const size = await suite.wharf.rest.get(`/service/rest/v1/repositories/${REPO}/image-size?image=team/app&digest=${manifestDigest}`);
    expect(size.json()).toEqual({ totalBytes: [...one.values()].reduce((n, s) => n + s, 0), uniqueBytes });

    const components = (await suite.wharf.rest.get(`/service/rest/v1/components?repository=${REPO}`)).json<PageJson<ComponentJson>>().items;
    const component = components.find((c) => c.name === 'team/app' && c.version === 'one');
    expect(component, JSON.stringify(components)).toBeDefined();
    const deleted = await suite.wharf.rest.delete(`/service/rest/v1/components/${component!.id}`);
    expect(deleted.status, deleted.text()).toBe(204);

    await setGrace(suite.wharf.rest, 'cleanup', 0);
    const before = blobBytes(suite.wharf.dataDir);
    const task = await runTask(suite.wharf.rest, 'cleanup');
    expect(task.lastRunResult, JSON.stringify(task)).toBe('OK');
    expect(task.lastRunSummary).toMatchObject({ blobsDeleted: unique.length, bytesFreed: uniqueBytes });
    expect(before - blobBytes(suite.wharf.dataDir)).toBe(uniqueBytes);
    console.log(`[gc-docker] deleting team/app:one freed ${uniqueBytes} bytes in ${unique.length} blobs; the shared base layer (${two.get(shared[0]!)} bytes) stayed`);
    for (const [digest] of unique) expect(committedBlobPath(suite.wharf.dataDir, digest), digest).toBeUndefined();
    for (const [digest] of two) expect(committedBlobPath(suite.wharf.dataDir, digest), digest).toBeDefined();

    const gone = await puller.docker(['pull', `${registry}/team/app:one`]);
    expect(gone.code).not.toBe(0);
    expect(`${gone.stdout}${gone.stderr}`).toMatch(/not found|manifest unknown/i);

    const pulled = await puller.dockerOk(['pull', `${registry}/team/app:two`]);
    expect(pulled.stdout).toContain(`Digest: ${[...two.keys()][0]}`);
    const run = await puller.dockerOk(['run', '--rm', '--network', 'none', `${registry}/team/app:two`, '/bin/busybox', 'wc', '-c', '/two.bin']);
    expect(run.stdout.trim()).toBe(`${UNIQUE_BYTES} /two.bin`);
  });
});
