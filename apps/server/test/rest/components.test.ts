import { beforeAll, describe, expect, it } from 'vitest';
import { MT, type Manifest, imageManifest } from '@wharf/test-kit';
import { type HostedFixture, hostedFixture } from '../support/setup';
import { useTestWharf } from '../support/wharf';

const wharf = useTestWharf();
let repo: HostedFixture;
let many: HostedFixture;
let web: Manifest;
let worker: Manifest;
const MANY_TAGS = Array.from({ length: 105 }, (_, i) => `t${String(i).padStart(3, '0')}`);

interface Component {
  id: string;
  repository: string;
  format: string;
  name: string;
  version: string;
  assets: { path: string; downloadUrl: string; repository: string; format: string; contentType: string; checksum: Record<string, string>; fileSize: number }[];
}
interface Page {
  items: Component[];
  continuationToken: string | null;
}

const components = (repository: string, token?: string) =>
  wharf.http.get(`/service/rest/v1/components?repository=${encodeURIComponent(repository)}${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`);

beforeAll(async () => {
  repo = await hostedFixture(wharf, 'browse', { httpPort: null });
  web = imageManifest();
  worker = imageManifest({ mediaType: MT.dockerManifest });
  await repo.prefixed.pushImage('team/web', '1.0', web);
  expect((await repo.prefixed.putManifest('team/web', 'latest', web)).status).toBe(201);
  await repo.prefixed.pushImage('worker', '2.0', worker);
  const untagged = imageManifest();
  await repo.prefixed.pushImage('team/web', untagged.digest, untagged);
  await hostedFixture(wharf, 'browse-empty', { httpPort: null });

  many = await hostedFixture(wharf, 'browse-many', { httpPort: null });
  const m = imageManifest();
  await many.prefixed.pushBlobs('big', m.blobs);
  for (const tag of MANY_TAGS) expect((await many.prefixed.putManifest('big', tag, m)).status).toBe(201);
});

describe('GET /service/rest/v1/components?repository=', () => {
  it('lists one component per image tag, with its manifest as the asset', async () => {
    const res = await components('browse');
    expect(res.status, res.text()).toBe(200);
    const page = res.json<Page>();
    expect(page.continuationToken).toBeNull();
    const versions = page.items.map((c) => `${c.name}:${c.version}`).sort();
    expect(versions).toEqual(['team/web:1.0', 'team/web:latest', 'worker:2.0']);
    for (const c of page.items) {
      expect(c.repository).toBe('browse');
      expect(c.format).toBe('docker');
      expect(typeof c.id).toBe('string');
      expect(c.assets).toHaveLength(1);
    }
    const ids = page.items.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("the asset describes the tag's manifest: checksum, content type, size, path, download URL", async () => {
    const page = (await components('browse')).json<Page>();
    const expected: Record<string, Manifest> = { 'team/web:1.0': web, 'team/web:latest': web, 'worker:2.0': worker };
    for (const c of page.items) {
      const m = expected[`${c.name}:${c.version}`]!;
      const [asset] = c.assets;
      expect(asset!.repository).toBe('browse');
      expect(asset!.format).toBe('docker');
      expect(asset!.checksum.sha256).toBe(m.digest.slice('sha256:'.length));
      expect(asset!.contentType).toBe(m.mediaType);
      expect(asset!.fileSize).toBe(m.size);
      expect(asset!.path).toBe(`v2/${c.name}/manifests/${c.version}`);
      const download = await wharf.http.get(asset!.downloadUrl);
      expect(download.status, asset!.downloadUrl).toBe(200);
      expect(download.body.equals(m.bytes)).toBe(true);
    }
  });

  it('pages by 100 with a continuationToken when there are more', async () => {
    const first = await components('browse-many');
    expect(first.status).toBe(200);
    const p1 = first.json<Page>();
    expect(p1.items).toHaveLength(100);
    expect(typeof p1.continuationToken).toBe('string');
    const second = await components('browse-many', p1.continuationToken!);
    expect(second.status).toBe(200);
    const p2 = second.json<Page>();
    expect(p2.items).toHaveLength(5);
    expect(p2.continuationToken).toBeNull();
    const all = [...p1.items, ...p2.items].map((c) => c.version);
    expect(new Set(all).size).toBe(105);
    expect([...all].sort()).toEqual(MANY_TAGS);
    for (const c of [...p1.items, ...p2.items]) expect(c.name).toBe('big');
  });

  it('a deleted tag is no longer a component', async () => {
    expect((await repo.prefixed.http.delete(repo.prefixed.manifestPath('team/web', 'latest'))).status).toBe(202);
    const page = (await components('browse')).json<Page>();
    expect(page.items.map((c) => `${c.name}:${c.version}`).sort()).toEqual(['team/web:1.0', 'worker:2.0']);
  });

  it('an empty repository has no components', async () => {
    const res = await components('browse-empty');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ items: [], continuationToken: null });
  });

  it('an unknown repository is 404', async () => {
    const res = await components('no-such-repo');
    expect(res.status).toBe(404);
  });

  it('without the repository parameter it is 400', async () => {
    const res = await wharf.http.get('/service/rest/v1/components');
    expect(res.status).toBe(400);
    expect(res.text()).toContain('repository');
  });

  it('is 401 without credentials', async () => {
    const res = await wharf.anonymous.get('/service/rest/v1/components?repository=browse');
    expect(res.status).toBe(401);
    expect(res.header('www-authenticate')).toMatch(/^Basic realm="Wharf"/);
  });
});
