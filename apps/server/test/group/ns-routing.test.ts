import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, imageManifest } from '@wharf/test-kit';
import { Registry, expectServed } from '../support/registry';
import { REPOSITORIES } from '../support/rest';
import { useTestWharf } from '../support/wharf';
import { ACCEPT_ALL, type Upstream, proxyBody, startUpstream } from '../proxy/support/proxy-fixture';
import { type GroupFixture, createGroup, createHostedOn, createProxyRepo, setAnonymous } from './support/group-fixture';

// containerd's mirrors (hosts.toml) send the registry an image was asked from as `?ns=<host>`, e.g.
// `GET /v2/library/app/manifests/1?ns=docker.io` or `?ns=registry.internal:5000` (host and port, as
// containerd writes it; checked with containerd 1.6: `?ns=127.0.0.1%3A5999`). One group can then
// mirror several registries: the proxy members whose remote is that registry come first, other
// proxies are left out, hosted members stay. Two upstream Distributions here both have
// library/app:1, with different content.

const wharf = useTestWharf();
let upstreamA: Upstream;
let upstreamB: Upstream;
let group: GroupFixture;
const appA: Manifest = imageManifest();
const appB: Manifest = imageManifest();
const onlyA: Manifest = imageManifest();
const local: Manifest = imageManifest();
const accept = { headers: { Accept: ACCEPT_ALL } };

/** GET manifest through the group's connector with `?ns=` (path as containerd builds it). */
function viaNs(image: string, reference: string, ns?: string) {
  const query = ns === undefined ? '' : `?ns=${encodeURIComponent(ns)}`;
  return group.connector.http.get(`/v2/${image}/manifests/${reference}${query}`, accept);
}

beforeAll(async () => {
  upstreamA = await startUpstream('grp-ns-a');
  upstreamB = await startUpstream('grp-ns-b');
  await upstreamA.direct.pushImage('library/app', '1', appA);
  await upstreamB.direct.pushImage('library/app', '1', appB);
  await upstreamA.direct.pushImage('team/only-a', '1', onlyA);
  await upstreamA.direct.pushImage('library/app', 'a-tag', imageManifest());
  await upstreamB.direct.pushImage('library/app', 'b-tag', imageManifest());
  const hosted = await createHostedOn(wharf, 'gns-hosted');
  await hosted.registry.pushImage('team/local', '1', local);
  await createProxyRepo(wharf, 'gns-a', { remoteUrl: upstreamA.faults.url });
  await createProxyRepo(wharf, 'gns-b', { remoteUrl: upstreamB.faults.url });
  group = await createGroup(wharf, 'gns-all', { memberNames: ['gns-hosted', 'gns-a', 'gns-b'] });
});

afterAll(async () => {
  await upstreamA?.close();
  await upstreamB?.close();
});

describe('?ns= picks the proxy member of the named registry', () => {
  it('without ns, the member order decides: A', async () => {
    expectServed(await viaNs('library/app', '1'), appA);
  });

  it('ns=<host:port of upstream B> gets B\'s image; upstream A is not asked', async () => {
    const askedA = upstreamA.faults.requests.length;
    expectServed(await viaNs('library/app', '1', upstreamB.faults.host), appB);
    expect(upstreamA.faults.requests.length).toBe(askedA);
    // Its blobs come from B as well.
    for (const blob of appB.blobs) {
      const b = await group.connector.http.get(`/v2/library/app/blobs/${blob.digest}?ns=${encodeURIComponent(upstreamB.faults.host)}`);
      expect(b.status, b.text()).toBe(200);
      expect(b.body.equals(blob.bytes)).toBe(true);
    }
  });

  it('ns=<host:port of upstream A> gets A\'s image', async () => {
    expectServed(await viaNs('library/app', '1', upstreamA.faults.host), appA);
  });

  it('with ns=B, an image only A has is not found, and A is not asked', async () => {
    const askedA = upstreamA.faults.requests.length;
    const res = await viaNs('team/only-a', '1', upstreamB.faults.host);
    expect(res.status, res.text()).toBe(404);
    expect(upstreamA.faults.requests.length).toBe(askedA);
    expectServed(await viaNs('team/only-a', '1', upstreamA.faults.host), onlyA);
  });

  it('hosted members answer whatever ns says', async () => {
    for (const ns of [upstreamA.faults.host, upstreamB.faults.host, 'quay.io']) {
      const res = await viaNs('team/local', '1', ns);
      expect(res.status, `${ns}: ${res.text()}`).toBe(200);
      expect(res.header('docker-content-digest')).toBe(local.digest);
    }
  });

  it('ns of a registry no proxy member mirrors leaves every proxy out', async () => {
    const before = [upstreamA.faults.requests.length, upstreamB.faults.requests.length];
    const res = await viaNs('library/app', '1', 'quay.io');
    expect(res.status, res.text()).toBe(404);
    expect([upstreamA.faults.requests.length, upstreamB.faults.requests.length]).toEqual(before);
  });

  it('tags/list with ns merges only the named registry\'s proxy (and hosted members)', async () => {
    // Cache a tag in each proxy (a proxy lists what it has cached), through the proxies themselves.
    const a = new Registry(wharf.http, '/repository/gns-a');
    const b = new Registry(wharf.http, '/repository/gns-b');
    expect((await a.getManifest('library/app', 'a-tag', accept)).status).toBe(200);
    expect((await b.getManifest('library/app', 'b-tag', accept)).status).toBe(200);
    expect((await b.getManifest('library/app', '1', accept)).status).toBe(200);
    const all = await group.connector.http.get('/v2/library/app/tags/list');
    expect(all.json()).toEqual({ name: 'library/app', tags: ['1', 'a-tag', 'b-tag'] });
    const res = await group.connector.http.get(`/v2/library/app/tags/list?ns=${encodeURIComponent(upstreamB.faults.host)}`);
    expect(res.status, res.text()).toBe(200);
    expect(res.json()).toEqual({ name: 'library/app', tags: ['1', 'b-tag'] });
  });
});

describe('docker.io is registry-1.docker.io', () => {
  let hubGroup: GroupFixture;

  beforeAll(async () => {
    // A Docker Hub proxy with B's library/app:1 in its cache: filled from upstream B, then pointed at
    // registry-1.docker.io, blocked (no network here) and never expiring, so only its cache answers.
    const hub = await createProxyRepo(wharf, 'gns-hub', { remoteUrl: upstreamB.faults.url, metadataMaxAge: -1, indexType: 'HUB' });
    const filled = await hub.getManifest('library/app', '1', accept);
    expect(filled.header('docker-content-digest')).toBe(appB.digest);
    for (const blob of appB.blobs) expect((await hub.getBlob('library/app', blob.digest)).status).toBe(200);
    const put = await wharf.http.sendJson(
      'PUT',
      `${REPOSITORIES}/docker/proxy/gns-hub`,
      proxyBody('gns-hub', { remoteUrl: 'https://registry-1.docker.io', metadataMaxAge: -1, indexType: 'HUB', blocked: true, httpPort: null }),
    );
    expect(put.status, put.text()).toBe(204);
    hubGroup = await createGroup(wharf, 'gns-hub-group', { memberNames: ['gns-hosted', 'gns-a', 'gns-hub'] });
  });

  function viaHubGroup(ns?: string) {
    const query = ns === undefined ? '' : `?ns=${encodeURIComponent(ns)}`;
    return hubGroup.connector.http.get(`/v2/library/app/manifests/1${query}`, accept);
  }

  it('without ns, the first proxy (A) answers', async () => {
    const res = await viaHubGroup();
    expect(res.header('docker-content-digest')).toBe(appA.digest);
  });

  it.each(['docker.io', 'registry-1.docker.io', 'index.docker.io'])('ns=%s routes to the Docker Hub proxy', async (ns) => {
    const res = await viaHubGroup(ns);
    expect(res.status, res.text()).toBe(200);
    expect(res.header('docker-content-digest')).toBe(appB.digest);
    const blob = await hubGroup.connector.http.get(`/v2/library/app/blobs/${appB.blobs[1]!.digest}?ns=${ns}`);
    expect(blob.status).toBe(200);
    expect(blob.body.equals(appB.blobs[1]!.bytes)).toBe(true);
  });

  it('ns=quay.io leaves the Docker Hub proxy out', async () => {
    const res = await viaHubGroup('quay.io');
    expect(res.status, res.text()).toBe(404);
  });

  it('the main-port forms pass ns on as well', async () => {
    const res = await new Registry(wharf.http).getManifest('gns-hub-group/library/app', '1?ns=docker.io', accept);
    expect(res.status, res.text()).toBe(200);
    expect(res.header('docker-content-digest')).toBe(appB.digest);
  });
});

// The new-user run of issue 17: `docker-hub` configured with indexType HUB but a corporate mirror as remote
// URL, a hosted member anonymous callers cannot read, anonymous access on. containerd's `?ns=docker.io`
// answered 401 (the Docker Hub proxy was not recognised, so only the hidden hosted member was left) while the
// same request without ns answered 200.
describe('anonymous containerd through a group whose Docker Hub proxy is a corporate mirror (indexType HUB)', () => {
  let mirrorGroup: GroupFixture;

  beforeAll(async () => {
    await setAnonymous(wharf, true);
    await createProxyRepo(wharf, 'gns-corp-hub', { remoteUrl: upstreamB.faults.url, indexType: 'HUB', forceBasicAuth: false });
    await createProxyRepo(wharf, 'gns-quay', { remoteUrl: upstreamA.faults.url, indexType: 'REGISTRY', forceBasicAuth: false });
    // gns-hosted requires a login (forceBasicAuth true): hidden from anonymous callers.
    mirrorGroup = await createGroup(wharf, 'gns-corp', { memberNames: ['gns-hosted', 'gns-quay', 'gns-corp-hub'], forceBasicAuth: false });
  });

  afterAll(() => setAnonymous(wharf, false));

  function anonymously(image: string, ns?: string) {
    const query = ns === undefined ? '' : `?ns=${encodeURIComponent(ns)}`;
    return mirrorGroup.anonymous.http.get(`/v2/${image}/manifests/1${query}`, accept);
  }

  it.each(['docker.io', 'registry-1.docker.io', 'index.docker.io'])('ns=%s is served by the HUB proxy (200, its upstream\'s image)', async (ns) => {
    const res = await anonymously('library/app', ns);
    expect(res.status, res.text()).toBe(200);
    expect(res.header('docker-content-digest')).toBe(appB.digest);
    const blob = await mirrorGroup.anonymous.http.get(`/v2/library/app/blobs/${appB.blobs[1]!.digest}?ns=${ns}`);
    expect(blob.status, blob.text()).toBe(200);
    expect(blob.body.equals(appB.blobs[1]!.bytes)).toBe(true);
  });

  it('the mirror\'s own host:port routes to it as well; without ns the member order decides', async () => {
    expect((await anonymously('library/app', upstreamB.faults.host)).header('docker-content-digest')).toBe(appB.digest);
    expect((await anonymously('library/app')).header('docker-content-digest')).toBe(appA.digest);
  });

  it('a routing miss (ns of a registry no member mirrors) is 404, not a login request, and asks no upstream', async () => {
    const before = [upstreamA.faults.requests.length, upstreamB.faults.requests.length];
    for (const image of ['library/app', 'team/local']) {
      const res = await anonymously(image, 'ghcr.io');
      expect(res.status, `${image}: ${res.text()}`).toBe(404);
      expect(res.header('www-authenticate')).toBeNull();
      expect(res.errorCodes()).toEqual(['MANIFEST_UNKNOWN']);
    }
    expect([upstreamA.faults.requests.length, upstreamB.faults.requests.length]).toEqual(before);
  });

  it('an image only the hidden hosted member has, with ns of a mirrored registry: still a login request', async () => {
    const res = await anonymously('team/local', 'docker.io');
    expect(res.status, res.text()).toBe(401);
    expect(res.header('www-authenticate')).toMatch(/^(Basic|Bearer) realm="/);
  });
});
