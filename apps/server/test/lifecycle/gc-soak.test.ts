import type { ComponentJson, PageJson } from '@wharf/api-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Blob, type Manifest, imageManifest, randomBlob, randomConfig, sha256 } from '@wharf/test-kit';
import type { HttpResult } from '../support/http';
import { type Registry, withQuery } from '../support/registry';
import { type HostedFixture, hostedFixture } from '../support/setup';
import { runTask, setGrace, storedBlobs } from '../support/tasks';
import { useTestWharf } from '../support/wharf';
import { type ProxyClient, type Upstream, createProxy, startUpstream } from '../proxy/support/proxy-fixture';

// Issue 14's soak: for a bounded time (WHARF_SOAK_SECONDS, default 45), pushes of images that share
// layers, pulls, deletes (registry DELETE by digest and REST component deletes) and proxy fills from a
// real Distribution run while the cleanup task collects in a loop with no grace period (the harshest
// setting: an upload's link is dropped as soon as a collection sees it unused). Meanwhile every pull of
// an image that is not being deleted must succeed with verified bytes, and a push may only fail with
// MANIFEST_BLOB_UNKNOWN (a blob collected between its upload and the manifest: the client pushes again).
// Afterwards every remaining tag pulls with verified digests, and the store holds exactly the blobs the
// remaining manifests reference.

const SECONDS = Number(process.env.WHARF_SOAK_SECONDS ?? 45);
const IMAGES = ['app', 'web', 'tools/jq'];

const wharf = useTestWharf();
let upstream: Upstream;
let hosted: HostedFixture;
let proxy: ProxyClient;

beforeAll(async () => {
  upstream = await startUpstream('gc-soak');
  hosted = await hostedFixture(wharf, 'soak-hosted', { httpPort: null });
  proxy = await createProxy(wharf, 'soak-proxy', { remoteUrl: upstream.faults.url });
  await setGrace(wharf.http, 'cleanup', 0);
});

afterAll(async () => {
  await upstream?.close();
});

interface Image {
  name: string;
  tag: string;
  manifest: Manifest;
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Base layers shared by many images, in both repositories (the proxy's upstream images use them too). */
const BASES: Blob[] = Array.from({ length: 4 }, () => randomBlob(96_000));

function newImage(): Manifest {
  const bases = [pick(BASES), ...(Math.random() < 0.5 ? [pick(BASES)] : [])];
  return imageManifest({ config: randomConfig(), layers: [...new Set(bases), randomBlob(1_000 + Math.floor(Math.random() * 40_000))] });
}

/** Pulls as a client does and checks every byte against its digest; the failure, or null. */
async function pullVerified(registry: Registry, name: string, tag: string, expected: Manifest): Promise<string | null> {
  const res = await registry.getManifest(name, tag, { headers: { Accept: expected.mediaType } });
  if (res.status !== 200) return `manifest ${name}:${tag}: ${res.status} ${res.text()}`;
  if (sha256(res.body) !== expected.digest) return `manifest ${name}:${tag}: other bytes`;
  for (const blob of expected.blobs) {
    const got = await registry.getBlob(name, blob.digest);
    if (got.status !== 200) return `blob ${blob.digest} of ${name}:${tag}: ${got.status} ${got.text()}`;
    if (sha256(got.body) !== blob.digest) return `blob ${blob.digest} of ${name}:${tag}: bytes do not match the digest`;
  }
  return null;
}

/** A push as docker does it: HEAD each blob, upload the missing ones, then the manifest. */
async function push(registry: Registry, name: string, tag: string, manifest: Manifest): Promise<HttpResult> {
  for (const blob of manifest.blobs) {
    if ((await registry.headBlob(name, blob.digest)).status === 200) continue;
    const started = await registry.http.post(registry.uploadsPath(name));
    if (started.status !== 202) return started;
    const put = await registry.http.put(withQuery(started.header('location')!, { digest: blob.digest }), {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: blob.bytes,
    });
    if (put.status !== 201) return put;
  }
  return registry.putManifest(name, tag, manifest);
}

describe(`the storage lifecycle under load (${SECONDS} s)`, () => {
  const live = new Map<string, Image>(); // hosted tags that exist and are not being deleted
  const deleting = new Set<string>();
  const proxied = new Map<string, Image>(); // images pulled through the proxy at least once
  const upstreamImages: Image[] = [];
  const failures: string[] = [];
  const counts = { pushes: 0, pushRetries: 0, pulls: 0, deletes: 0, proxyPulls: 0, collections: 0, bytesFreed: 0 };

  it('keeps every image that is not deleted whole while collections run in a loop', async () => {
    const deadline = Date.now() + SECONDS * 1000;
    const running = () => Date.now() < deadline;
    let serial = 0;

    const pusher = async () => {
      while (running()) {
        const image: Image = { name: pick(IMAGES), tag: `t${(serial += 1)}`, manifest: newImage() };
        for (let attempt = 1; ; attempt += 1) {
          const res = await push(hosted.prefixed, image.name, image.tag, image.manifest);
          if (res.status === 201) {
            counts.pushes += 1;
            live.set(`${image.name}:${image.tag}`, image);
            break;
          }
          // A blob collected between its upload and the manifest (no grace period): the push is refused
          // whole, and the client pushes again, uploading what is missing.
          if (res.errorCodes().includes('MANIFEST_BLOB_UNKNOWN') && attempt < 10) {
            counts.pushRetries += 1;
            continue;
          }
          failures.push(`push ${image.name}:${image.tag} (attempt ${attempt}): ${res.status} ${res.text()}`);
          break;
        }
      }
    };

    const puller = async () => {
      while (running()) {
        const key = pick([...live.keys()]);
        const image = key === undefined ? undefined : live.get(key);
        if (!image) {
          await sleep(10);
          continue;
        }
        const failure = await pullVerified(hosted.prefixed, image.name, image.tag, image.manifest);
        counts.pulls += 1;
        // A pull racing the deletion of its own image may fail; any other failure is a lost image.
        if (failure && live.has(key!)) failures.push(`pull: ${failure}`);
      }
    };

    const deleter = async () => {
      while (running()) {
        await sleep(100 + Math.random() * 200);
        if (live.size < 6) continue;
        const key = pick([...live.keys()]);
        const image = live.get(key)!;
        live.delete(key);
        deleting.add(key);
        if (counts.deletes % 2 === 0) {
          const res = await hosted.prefixed.http.delete(hosted.prefixed.manifestPath(image.name, image.manifest.digest));
          if (res.status !== 202) failures.push(`DELETE manifest ${key}: ${res.status} ${res.text()}`);
        } else {
          const components = await wharf.http.get(`/service/rest/v1/search?repository=${hosted.name}&name=${image.name}&version=${image.tag}`);
          const component = components.json<PageJson<ComponentJson>>().items[0];
          const res = component ? await wharf.http.delete(`/service/rest/v1/components/${component.id}`) : undefined;
          if (res?.status !== 204) failures.push(`DELETE component ${key}: ${res?.status} ${res?.text() ?? 'not found'}`);
        }
        counts.deletes += 1;
      }
    };

    const feeder = async () => {
      // New upstream images keep coming, so proxy fills go on all the time.
      while (running()) {
        const image: Image = { name: `up/${pick(IMAGES)}`, tag: `u${(serial += 1)}`, manifest: newImage() };
        await upstream.direct.pushImage(image.name, image.tag, image.manifest);
        upstreamImages.push(image);
        await sleep(300);
      }
    };

    const proxyPuller = async () => {
      while (running()) {
        // Mostly the newest upstream images (cold: a fill), sometimes an older one (warm).
        const image = Math.random() < 0.6 ? upstreamImages.at(-1) : pick(upstreamImages);
        if (!image) {
          await sleep(20);
          continue;
        }
        const failure = await pullVerified(proxy.registry, proxy.name(image.name), image.tag, image.manifest);
        counts.proxyPulls += 1;
        if (failure) failures.push(`proxy pull: ${failure}`);
        else proxied.set(`${image.name}:${image.tag}`, image);
      }
    };

    const collector = async () => {
      while (running()) {
        const task = await runTask(wharf.http, 'cleanup');
        counts.collections += 1;
        counts.bytesFreed += Number(task.lastRunSummary?.bytesFreed ?? 0);
        if (task.lastRunResult !== 'OK') failures.push(`cleanup run: ${JSON.stringify(task)}`);
        await sleep(Math.random() * 150);
      }
    };

    await Promise.all([pusher(), pusher(), puller(), puller(), deleter(), feeder(), proxyPuller(), collector()]);
    console.log(`gc soak: ${JSON.stringify(counts)}, ${live.size} hosted tags and ${proxied.size} proxied images left`);
    expect(failures).toEqual([]);
    // It did run under load (figures of a busy 2-core machine: a collection, a push and a delete every few seconds at least).
    expect(counts.collections).toBeGreaterThanOrEqual(SECONDS / 5);
    expect(counts.pushes).toBeGreaterThanOrEqual(SECONDS / 4);
    expect(counts.deletes).toBeGreaterThanOrEqual(SECONDS / 4);
    expect(counts.bytesFreed).toBeGreaterThan(0);
    expect(proxied.size).toBeGreaterThanOrEqual(SECONDS / 4);
  }, (SECONDS + 120) * 1000);

  it('afterwards every remaining tag pulls with verified digests, and the store holds exactly the referenced blobs', async () => {
    expect((await runTask(wharf.http, 'cleanup')).lastRunResult).toBe('OK');
    const expected = new Map<string, number>();
    const hold = (m: Manifest) => {
      expected.set(m.digest, m.size);
      for (const b of m.blobs) expected.set(b.digest, b.size);
    };
    for (const image of live.values()) {
      expect(await pullVerified(hosted.prefixed, image.name, image.tag, image.manifest)).toBeNull();
      hold(image.manifest);
    }
    for (const image of proxied.values()) {
      expect(await pullVerified(proxy.registry, proxy.name(image.name), image.tag, image.manifest)).toBeNull();
      hold(image.manifest);
    }
    for (const key of deleting) {
      const [name, tag] = key.split(':') as [string, string];
      expect((await hosted.prefixed.getManifest(name, tag)).status).toBe(404);
    }
    const disk = await storedBlobs(wharf.dataDir);
    expect([...disk.digests].sort()).toEqual([...expected.keys()].sort());
    expect(disk.bytes).toBe([...expected.values()].reduce((n, s) => n + s, 0));
  }, 120_000);
});
