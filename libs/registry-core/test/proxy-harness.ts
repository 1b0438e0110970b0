/**
 * ProxyRepository instances in front of a real CNCF Distribution (a process per harness), over a real
 * FileBlobStore and the in-memory metadata ports; `seed` pushes an image into the upstream over HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '@wharf/test-kit';
import { BlobFills } from '../src/proxy/blob-fill';
import { ProxyRepository } from '../src/proxy/proxy-repository';
import { ProxyState } from '../src/proxy/proxy-state';
import { RegistryClient } from '../src/upstream';
import { proxyConfig } from './configs';
import type { ProxyConfig } from '../src/repository-config';
import { openHostedHarness } from './hosted-harness';
import { type RunningDistribution, startDistribution } from './upstream/distribution';

export interface ProxyHarness {
  upstream: RunningDistribution;
  repository(name?: string): ProxyRepository;
  seed(image: string, tag: string, img: Manifest): Promise<void>;
  cleanup(): Promise<void>;
}

async function expectStatus(res: Response, status: number, what: string): Promise<Response> {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/** Pushes the image's blobs (monolithic uploads) and its manifest, bytes unchanged, to a registry without auth. */
export async function pushToRegistry(url: string, image: string, tag: string, img: Manifest): Promise<void> {
  for (const blob of img.blobs) {
    const start = await expectStatus(await fetch(`${url}/v2/${image}/blobs/uploads/`, { method: 'POST' }), 202, 'upload start');
    const location = new URL(start.headers.get('location')!, url);
    location.searchParams.set('digest', blob.digest);
    await expectStatus(await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: blob.bytes }), 201, 'upload');
  }
  const put = await fetch(`${url}/v2/${image}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': img.mediaType }, body: img.bytes });
  await expectStatus(put, 201, 'manifest put');
}

/** ProxyRepositories on the in-memory ports and a FileBlobStore, in front of the registry at `remoteUrl`. */
export interface MemoryProxies {
  repository(name?: string, configure?: (config: ProxyConfig) => void): ProxyRepository;
  /** The fills under way (shared by the repositories, as the server shares them per blob store). */
  fills: BlobFills;
  cleanup(): Promise<void>;
}

export async function proxiesOnMemoryPorts(remoteUrl: string): Promise<MemoryProxies> {
  const hosted = await openHostedHarness('memory');
  const { blobs, manifests, tags, links, manifestCache, downloads, claims } = hosted.deps;
  const fills = new BlobFills();
  const clients: RegistryClient[] = [];
  return {
    fills,
    repository: (name = 'docker-proxy', configure) => {
      const config = proxyConfig(name);
      config.proxy.remoteUrl = remoteUrl;
      config.httpClient.authentication = null;
      config.dockerProxy.indexType = 'REGISTRY';
      configure?.(config);
      const client = new RegistryClient({ remoteUrl });
      clients.push(client);
      return new ProxyRepository(config, { blobs, manifests, tags, links, manifestCache, downloads, claims, fills, client, state: new ProxyState(), log: { warn: () => undefined } });
    },
    cleanup: async () => {
      // A fill commits (fsync, rename, link) just after its readers had the last byte: let it finish first.
      for (let waited = 0; fills.size > 0 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      for (const c of clients) c.close();
      await hosted.cleanup();
    },
  };
}

export async function openProxyHarness(): Promise<ProxyHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-proxy-upstream-'));
  const upstream = await startDistribution({ dir });
  const proxies = await proxiesOnMemoryPorts(upstream.url);
  return {
    upstream,
    repository: (name) => proxies.repository(name),
    seed: (image, tag, img) => pushToRegistry(upstream.url, image, tag, img),
    cleanup: async () => {
      await proxies.cleanup();
      await upstream.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
