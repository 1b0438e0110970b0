import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, imageManifest, randomBlob, unknownDigest } from '@wharf/test-kit';
import type { Registry } from '../support/registry';
import { expectHeadError, expectRegistryError, expectServed } from '../support/registry';
import { useTestWharf } from '../support/wharf';
import { ACCEPT_ALL, type Upstream, startUpstream } from '../proxy/support/proxy-fixture';
import { type GroupFixture, createGroup, createHostedOn, createProxyRepo, sortedUnion, walkPages } from './support/group-fixture';

// Reads through a group of a hosted repository and a proxy of a real CNCF Distribution:
// manifests by tag from the first member that has the tag, by digest and blobs from any member,
// tags/list and _catalog merged, deduplicated, sorted and paginated.

const wharf = useTestWharf();
let upstream: Upstream;
let hosted: Registry;
let proxy: Registry;
/** [hosted, proxy] */
let hostedFirst: GroupFixture;
/** [proxy, hosted] */
let proxyFirst: GroupFixture;

const accept = { headers: { Accept: ACCEPT_ALL } };

// team/app: "shared" is in both members with different content; "1.0" upstream only; "2.0" hosted only.
const upShared = imageManifest({ layers: [randomBlob(40_000)] });
const upOnePointO = imageManifest({ layers: [randomBlob(70_000), randomBlob(300)] });
const upByDigestOnly = imageManifest();
const hostedShared = imageManifest({ layers: [randomBlob(20_000)] });
const hostedTwo = imageManifest();
const hostedOnly = imageManifest();
const upOnly = imageManifest();

// team/tagged: tags interleave between the members, "shared" is in both.
const HOSTED_TAGS = ['a', 'c', 'e', 'shared', 'z'];
const UPSTREAM_TAGS = ['b', 'd', 'shared', 'y'];
const ALL_TAGS = sortedUnion(HOSTED_TAGS, UPSTREAM_TAGS);

beforeAll(async () => {
  upstream = await startUpstream('grp-read');

  await upstream.direct.pushImage('team/app', 'shared', upShared);
  await upstream.direct.pushImage('team/app', '1.0', upOnePointO);
  await upstream.direct.pushImage('team/app', 'by-digest', upByDigestOnly);
  await upstream.direct.pushImage('team/up-only', '1', upOnly);
  const tagged = imageManifest();
  await upstream.direct.pushBlobs('team/tagged', tagged.blobs);
  for (const tag of UPSTREAM_TAGS) expect((await upstream.direct.putManifest('team/tagged', tag, tagged)).status).toBe(201);

  hosted = (await createHostedOn(wharf, 'grp-read-hosted')).registry;
  await hosted.pushImage('team/app', 'shared', hostedShared);
  await hosted.pushImage('team/app', '2.0', hostedTwo);
  await hosted.pushImage('team/h-only', '1', hostedOnly);
  const hostedTagged = imageManifest();
  await hosted.pushBlobs('team/tagged', hostedTagged.blobs);
  for (const tag of HOSTED_TAGS) expect((await hosted.putManifest('team/tagged', tag, hostedTagged)).status).toBe(201);

  proxy = await createProxyRepo(wharf, 'grp-read-proxy', { remoteUrl: upstream.faults.url });
  // A proxy lists what it has cached: pull every upstream tag of team/tagged through it once.
  for (const tag of UPSTREAM_TAGS) expect((await proxy.getManifest('team/tagged', tag, accept)).status).toBe(200);

  hostedFirst = await createGroup(wharf, 'grp-read-hf', { memberNames: ['grp-read-hosted', 'grp-read-proxy'] });
  proxyFirst = await createGroup(wharf, 'grp-read-pf', { memberNames: ['grp-read-proxy', 'grp-read-hosted'] });
});

afterAll(async () => {
  await upstream?.close();
});

function expectManifest(res: Awaited<ReturnType<Registry['getManifest']>>, m: Manifest): void {
  expectServed(res, m);
  expect(res.header('content-type')).toBe(m.mediaType);
}

describe('manifests by tag: the first member that has the tag answers', () => {
  it('a tag in both members comes from the first one, and the other is not asked', async () => {
    const before = upstream.faults.count('manifest-get', (r) => r.image === 'team/app' && r.reference === 'shared');
    expectManifest(await hostedFirst.connector.getManifest('team/app', 'shared', accept), hostedShared);
    // The hosted member answered: no pull of that tag reached the upstream.
    expect(upstream.faults.count('manifest-get', (r) => r.image === 'team/app' && r.reference === 'shared')).toBe(before);
    expect(upstream.faults.count('manifest-head', (r) => r.image === 'team/app' && r.reference === 'shared')).toBe(0);

    expectManifest(await proxyFirst.connector.getManifest('team/app', 'shared', accept), upShared);
  });

  it('a tag only the later member has falls through to it (upstream-only and hosted-only)', async () => {
    expectManifest(await hostedFirst.connector.getManifest('team/app', '1.0', accept), upOnePointO);
    expectManifest(await proxyFirst.connector.getManifest('team/app', '2.0', accept), hostedTwo);
    expectManifest(await hostedFirst.connector.getManifest('team/up-only', '1', accept), upOnly);
    expectManifest(await proxyFirst.connector.getManifest('team/h-only', '1', accept), hostedOnly);
  });

  it('HEAD answers like GET, without a body', async () => {
    expectServed(await hostedFirst.connector.headManifest('team/app', 'shared', accept), hostedShared, 'HEAD');
  });

  it('the main port reaches the group by path too (/repository/<group>/v2/ and /v2/<group>/)', async () => {
    expectManifest(await hostedFirst.prefixed.getManifest('team/app', 'shared', accept), hostedShared);
    const res = await wharf.http.get(`/v2/grp-read-hf/team/app/manifests/shared`, accept);
    expectManifest(res, hostedShared);
  });

  it('a tag no member has is MANIFEST_UNKNOWN (404), an image no member has is 404 too', async () => {
    expectRegistryError(await hostedFirst.connector.getManifest('team/app', 'nope', accept), 404, 'MANIFEST_UNKNOWN');
    const res = await hostedFirst.connector.getManifest('team/nowhere', '1', accept);
    expect(res.status, res.text()).toBe(404);
    expect(res.errorCodes().some((c) => c === 'MANIFEST_UNKNOWN' || c === 'NAME_UNKNOWN')).toBe(true);
    expectHeadError(await hostedFirst.connector.headManifest('team/app', 'nope', accept), 404);
  });
});

describe('manifests by digest and blobs: any member', () => {
  it('a manifest by digest that only the upstream has (its tag was never pulled)', async () => {
    expectManifest(await hostedFirst.connector.getManifest('team/app', upByDigestOnly.digest, accept), upByDigestOnly);
  });

  it('a manifest by digest that only the hosted member has, also when the proxy is asked first', async () => {
    expectManifest(await proxyFirst.connector.getManifest('team/app', hostedTwo.digest, accept), hostedTwo);
    expectManifest(await proxyFirst.connector.getManifest('team/app', hostedShared.digest, accept), hostedShared);
  });

  it('blobs of images from either member, with their bytes and digests', async () => {
    for (const [group, m] of [
      [hostedFirst, upOnePointO],
      [hostedFirst, hostedTwo],
      [proxyFirst, hostedShared],
      [proxyFirst, upShared],
    ] as const) {
      for (const blob of m.blobs) {
        const res = await group.connector.getBlob('team/app', blob.digest);
        expect(res.status, res.text()).toBe(200);
        expect(res.body.equals(blob.bytes)).toBe(true);
        expect(res.header('docker-content-digest')).toBe(blob.digest);
        const head = await group.connector.headBlob('team/app', blob.digest);
        expect(head.status).toBe(200);
        expect(Number(head.header('content-length'))).toBe(blob.size);
      }
    }
  });

  it('a blob the upstream has but nobody pulled yet is fetched through the proxy member', async () => {
    const blob = upByDigestOnly.blobs[1]!;
    const res = await hostedFirst.connector.getBlob('team/app', blob.digest);
    expect(res.status, res.text()).toBe(200);
    expect(res.body.equals(blob.bytes)).toBe(true);
  });

  it('unknown digests are MANIFEST_UNKNOWN / BLOB_UNKNOWN (404)', async () => {
    expectRegistryError(await hostedFirst.connector.getManifest('team/app', unknownDigest(), accept), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await hostedFirst.connector.getBlob('team/app', unknownDigest()), 404, 'BLOB_UNKNOWN');
    expectHeadError(await hostedFirst.connector.headBlob('team/app', unknownDigest()), 404);
  });
});

describe('tags/list: merged across members, deduplicated, sorted, paginated', () => {
  it('lists the union of the members\' tags once each, in lexical order, with no Link when it fits', async () => {
    // The members' own lists, for reference.
    const own = await hosted.tags('team/tagged');
    expect(own.json()).toEqual({ name: 'team/tagged', tags: HOSTED_TAGS });
    const cached = await proxy.tags('team/tagged');
    expect(cached.json()).toEqual({ name: 'team/tagged', tags: UPSTREAM_TAGS });

    for (const group of [hostedFirst, proxyFirst]) {
      const res = await group.connector.tags('team/tagged');
      expect(res.status, res.text()).toBe(200);
      expect(res.header('content-type')).toMatch(/^application\/json/);
      expect(res.json()).toEqual({ name: 'team/tagged', tags: ALL_TAGS });
      expect(res.header('link')).toBeNull();
    }
  });

  it('pages with n: each page in order, a Link with n and last on all but the last page', async () => {
    const first = await hostedFirst.connector.tags('team/tagged', '?n=3');
    const { pages, links } = await walkPages(first, 'tags', (link) => hostedFirst.connector.http.get(link));
    expect(pages).toEqual([ALL_TAGS.slice(0, 3), ALL_TAGS.slice(3, 6), ALL_TAGS.slice(6)]);
    expect(links).toHaveLength(2);
    for (const [i, link] of links.entries()) {
      const url = new URL(link, 'http://placeholder');
      expect(url.pathname).toBe('/v2/team/tagged/tags/list');
      expect(url.searchParams.get('n')).toBe('3');
      expect(url.searchParams.get('last')).toBe(pages[i]!.at(-1));
    }
  });

  it('last= starts after the given tag, across members', async () => {
    const res = await hostedFirst.connector.tags('team/tagged', '?n=2&last=c');
    expect(res.json()).toEqual({ name: 'team/tagged', tags: ['d', 'e'] });
    expect(res.header('link')).toMatch(/last=e/);
    const rest = await hostedFirst.connector.tags('team/tagged', '?last=shared');
    expect(rest.json()).toEqual({ name: 'team/tagged', tags: ['y', 'z'] });
    expect(rest.header('link')).toBeNull();
  });

  it('pages through the prefixed main-port form with Links in that form', async () => {
    const first = await hostedFirst.prefixed.tags('team/tagged', '?n=4');
    const { pages, links } = await walkPages(first, 'tags', (link) => wharf.http.get(link));
    expect(pages.flat()).toEqual(ALL_TAGS);
    expect(links.every((l) => new URL(l, 'http://placeholder').pathname === '/repository/grp-read-hf/v2/team/tagged/tags/list')).toBe(true);
  });

  it('an image one member has lists that member\'s tags; an image nobody has is NAME_UNKNOWN', async () => {
    expect((await hostedFirst.connector.tags('team/h-only')).json()).toEqual({ name: 'team/h-only', tags: ['1'] });
    expectRegistryError(await hostedFirst.connector.tags('team/never-seen'), 404, 'NAME_UNKNOWN');
  });
});

describe('_catalog: merged across members', () => {
  async function memberCatalog(registry: Registry): Promise<string[]> {
    const res = await registry.catalog('?n=1000');
    expect(res.status, res.text()).toBe(200);
    return res.json<{ repositories: string[] }>().repositories;
  }

  it('lists each image of either member once, sorted', async () => {
    const fromHosted = await memberCatalog(hosted);
    const fromProxy = await memberCatalog(proxy);
    expect(fromHosted).toEqual(expect.arrayContaining(['team/app', 'team/h-only', 'team/tagged']));
    expect(fromProxy).toEqual(expect.arrayContaining(['team/app', 'team/tagged', 'team/up-only']));
    const expected = sortedUnion(fromHosted, fromProxy);

    for (const group of [hostedFirst, proxyFirst]) {
      const res = await group.connector.catalog();
      expect(res.status, res.text()).toBe(200);
      expect(res.json()).toEqual({ repositories: expected });
      expect(res.header('link')).toBeNull();
    }
  });

  it('pages with n and Link, without losing or repeating an image', async () => {
    const expected = sortedUnion(await memberCatalog(hosted), await memberCatalog(proxy));
    const first = await hostedFirst.connector.catalog('?n=2');
    const { pages, links } = await walkPages(first, 'repositories', (link) => hostedFirst.connector.http.get(link));
    expect(pages.flat()).toEqual(expected);
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    expect(links).toHaveLength(Math.ceil(expected.length / 2) - 1);
    expect(links.every((l) => new URL(l, 'http://placeholder').pathname === '/v2/_catalog')).toBe(true);
  });

  it('the main port\'s catalog lists the group\'s images under the group\'s name', async () => {
    const expected = sortedUnion(await memberCatalog(hosted), await memberCatalog(proxy));
    const res = await wharf.http.get('/v2/_catalog?n=1000');
    expect(res.status, res.text()).toBe(200);
    const all = res.json<{ repositories: string[] }>().repositories;
    expect(all.filter((r) => r.startsWith('grp-read-hf/'))).toEqual(expected.map((i) => `grp-read-hf/${i}`));
  });
});

describe('a group inside a group', () => {
  it('reads through the inner group in its member order, then the next member', async () => {
    const extra = await createHostedOn(wharf, 'grp-read-extra');
    const nestedOnly = imageManifest();
    await extra.registry.pushImage('team/nested', '1', nestedOnly);
    const outer = await createGroup(wharf, 'grp-read-outer', { memberNames: ['grp-read-pf', 'grp-read-extra'] });
    // grp-read-pf asks the proxy first.
    expectManifest(await outer.connector.getManifest('team/app', 'shared', accept), upShared);
    expectManifest(await outer.connector.getManifest('team/nested', '1', accept), nestedOnly);
    const tags = await outer.connector.tags('team/tagged');
    expect(tags.json()).toEqual({ name: 'team/tagged', tags: ALL_TAGS });
  });
});
