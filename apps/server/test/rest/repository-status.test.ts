import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentJson, PageJson, RepositoryStatusSummaryJson } from '@wharf/api-types';
import { type ImageManifest, imageManifest, randomBlob } from '@wharf/test-kit';
import { createGroup, createHostedOn, createProxyRepo } from '../group/support/group-fixture';
import { createRole, createUser } from '../security/support/secure-wharf';
import { type TestWharf, startTestWharf } from '../support/wharf';

// Wharf's GET /service/rest/v1/repositoryStatus (the UI's repository list: online, a proxy's upstream health,
// bytes stored, in one request) and the `servedBy` of a group's components (which member a pull gets).

const STATUS = '/service/rest/v1/repositoryStatus';
let wharf: TestWharf;
const shared = randomBlob(3000);
const first: ImageManifest = imageManifest({ layers: [shared, randomBlob(1000)] });
const second: ImageManifest = imageManifest({ layers: [shared, randomBlob(700)] });
const onlySecond: ImageManifest = imageManifest({ layers: [randomBlob(500)] });
const reader = { username: 'status-reader', password: 'Status-reader-1' };

const bytesOf = (...images: ImageManifest[]) => {
  const digests = new Map<string, number>();
  for (const m of images) for (const b of [m, m.config, ...m.layers]) digests.set(b.digest, b.size);
  return { blobCount: digests.size, totalSizeInBytes: [...digests.values()].reduce((a, b) => a + b, 0) };
};

async function statuses(http = wharf.http): Promise<RepositoryStatusSummaryJson[]> {
  const res = await http.get(STATUS);
  expect(res.status, res.text()).toBe(200);
  return res.json<RepositoryStatusSummaryJson[]>();
}

beforeAll(async () => {
  wharf = await startTestWharf();
  const a = await createHostedOn(wharf, 'st-first');
  const b = await createHostedOn(wharf, 'st-second');
  await createHostedOn(wharf, 'st-empty');
  await a.registry.pushImage('app', '1', first);
  await b.registry.pushImage('app', '1', second); // the same tag as st-first's: shadowed in the group
  await b.registry.pushImage('app', '2', onlySecond);
  // Nothing listens on port 9: every upstream request fails.
  await createProxyRepo(wharf, 'st-proxy', { remoteUrl: 'http://127.0.0.1:9/', autoBlock: true });
  await createProxyRepo(wharf, 'st-blocked', { remoteUrl: 'http://127.0.0.1:9/', blocked: true });
  await createGroup(wharf, 'st-group', { memberNames: ['st-first', 'st-second', 'st-proxy'] });
  await createGroup(wharf, 'st-outer', { memberNames: ['st-group'], httpPort: null });
  // The reader may browse and pull the group and its second member, not the first.
  await createRole(wharf.http, 'st-readers', [
    'nx-repository-view-docker-st-second-browse',
    'nx-repository-view-docker-st-second-read',
    'nx-repository-view-docker-st-group-browse',
    'nx-repository-view-docker-st-group-read',
  ]);
  await createUser(wharf.http, reader.username, reader.password, ['st-readers']);
});

afterAll(async () => {
  await wharf?.close();
});

describe('GET /service/rest/v1/repositoryStatus', () => {
  it('lists every repository with its type, online state and the bytes it stores, each digest once', async () => {
    const all = await statuses();
    const byName = new Map(all.map((s) => [s.name, s]));
    expect(all.map((s) => s.name).sort()).toEqual(['st-blocked', 'st-empty', 'st-first', 'st-group', 'st-outer', 'st-proxy', 'st-second']);
    expect(byName.get('st-first')).toEqual({ name: 'st-first', type: 'hosted', online: true, upstream: null, storage: bytesOf(first) });
    expect(byName.get('st-second')!.storage).toEqual(bytesOf(second, onlySecond));
    expect(byName.get('st-empty')!.storage).toEqual({ blobCount: 0, totalSizeInBytes: 0 });
    // A group stores nothing itself: what its members store together, the layer they share counted once; a
    // nested group counts the repositories it reaches.
    expect(byName.get('st-group')).toMatchObject({ type: 'group', upstream: null, storage: bytesOf(first, second, onlySecond) });
    expect(byName.get('st-outer')!.storage).toEqual(bytesOf(first, second, onlySecond));
  });

  it("gives a proxy's upstream health: a failed upstream is unreachable with the failure; a blocked proxy says so", async () => {
    const before = (await statuses()).find((s) => s.name === 'st-proxy')!;
    expect(before.upstream).toMatchObject({ remoteUrl: 'http://127.0.0.1:9', reachable: null, lastFailure: null, blocked: false });
    expect((await wharf.http.get('/repository/st-proxy/v2/library/app/manifests/1')).status).toBeGreaterThanOrEqual(400);
    const after = (await statuses()).find((s) => s.name === 'st-proxy')!;
    expect(after.upstream).toMatchObject({ reachable: false, blocked: false });
    expect(after.upstream!.lastFailure?.message).toBeTruthy();
    // The same figures as the one-repository status.
    const one = (await wharf.http.get('/service/rest/v1/repositories/st-proxy/status')).json<{ upstream: unknown }>();
    expect(after.upstream).toEqual(one.upstream);
    expect((await statuses()).find((s) => s.name === 'st-blocked')!.upstream).toMatchObject({ blocked: true });
  });

  it('an offline repository is online: false', async () => {
    const res = await wharf.http.get('/service/rest/v1/repositories/docker/hosted/st-empty');
    const body = res.json<Record<string, unknown>>();
    const put = await wharf.http.sendJson('PUT', '/service/rest/v1/repositories/docker/hosted/st-empty', { ...body, online: false });
    expect(put.status, put.text()).toBe(204);
    expect((await statuses()).find((s) => s.name === 'st-empty')!.online).toBe(false);
  });

  it("a user sees the repositories it may browse only, and a group's size counts the members it may browse; without credentials it is 401", async () => {
    const mine = await statuses(wharf.http.as(reader));
    expect(mine.map((s) => s.name).sort()).toEqual(['st-group', 'st-second']);
    expect(mine.find((s) => s.name === 'st-second')!.storage).toEqual(bytesOf(second, onlySecond));
    expect(mine.find((s) => s.name === 'st-group')!.storage).toEqual(bytesOf(second, onlySecond));
    expect((await wharf.anonymous.get(STATUS)).status).toBe(401);
  });
});

describe("a group's components name the member a pull of each tag gets (servedBy)", () => {
  const page = async (repository: string) => {
    const res = await wharf.http.get(`/service/rest/v1/components?repository=${repository}`);
    expect(res.status, res.text()).toBe(200);
    return res.json<PageJson<ComponentJson>>().items;
  };

  it('each member holding a tag is listed; the first member in order serves it, the later one is shadowed', async () => {
    const items = await page('st-group');
    expect(items.map((c) => [c.repository, `${c.name}:${c.version}`, c.servedBy])).toEqual([
      ['st-first', 'app:1', 'st-first'],
      ['st-second', 'app:1', 'st-first'],
      ['st-second', 'app:2', 'st-second'],
    ]);
    // What a pull through the group gets is the serving member's manifest.
    const pulled = await wharf.http.get('/repository/st-group/v2/app/manifests/1', { headers: { Accept: first.mediaType } });
    expect(pulled.header('docker-content-digest')).toBe(first.digest);
    const other = await wharf.http.get('/repository/st-group/v2/app/manifests/2', { headers: { Accept: onlySecond.mediaType } });
    expect(other.header('docker-content-digest')).toBe(onlySecond.digest);
    // Nested: the inner group's members, in its order.
    expect((await page('st-outer')).map((c) => c.servedBy)).toEqual(['st-first', 'st-first', 'st-second']);
  });

  it('a repository that is not a group has no servedBy (the Nexus shape)', async () => {
    for (const c of await page('st-second')) expect(c).not.toHaveProperty('servedBy');
  });

  it('a member the caller may not browse neither appears nor shadows: its servedBy is what its own pull gets', async () => {
    const res = await wharf.http.as(reader).get('/service/rest/v1/components?repository=st-group');
    expect(res.status, res.text()).toBe(200);
    expect(res.json<PageJson<ComponentJson>>().items.map((c) => [c.repository, `${c.name}:${c.version}`, c.servedBy])).toEqual([
      ['st-second', 'app:1', 'st-second'],
      ['st-second', 'app:2', 'st-second'],
    ]);
    const pulled = await wharf.http.as(reader).get('/repository/st-group/v2/app/manifests/1', { headers: { Accept: second.mediaType } });
    expect(pulled.status, pulled.text()).toBe(200);
    expect(pulled.header('docker-content-digest')).toBe(second.digest);
  });
});

describe('the figures are reused for 30 s, but not past a removal made here', () => {
  it('a tag deleted through the REST API (its manifest with it) is gone from the next answer', async () => {
    const before = (await statuses()).find((s) => s.name === 'st-second')!.storage;
    const list = (await wharf.http.get('/service/rest/v1/components?repository=st-second&name=app')).json<PageJson<ComponentJson>>();
    const two = list.items.find((c) => c.version === '2')!;
    expect((await wharf.http.request('DELETE', `/service/rest/v1/components/${two.id}`)).status).toBe(204);
    // The manifest row goes now; its layer's link stays until a collection drops it.
    expect((await statuses()).find((s) => s.name === 'st-second')!.storage).toEqual({
      blobCount: before.blobCount - 1,
      totalSizeInBytes: before.totalSizeInBytes - onlySecond.size,
    });
  });
});
