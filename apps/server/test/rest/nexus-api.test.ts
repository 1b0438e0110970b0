import { beforeAll, describe, expect, it } from 'vitest';
import type { AssetJson, ComponentJson, PageJson, RepositorySummary } from '@wharf/api-types';
import { imageManifest } from '@wharf/test-kit';
import { Registry } from '../support/registry';
import { useTestWharf } from '../support/wharf';

// The calls a Nexus provisioning script makes (create, read, update, list, search, delete), with the
// request and response shapes of Nexus Repository 3's REST API documentation.

const API = '/service/rest/v1';

/** Nexus's documented docker proxy body, with the values Wharf supports. */
function nexusProxy(name: string): Record<string, unknown> {
  return {
    name,
    online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true },
    cleanup: { policyNames: [] },
    proxy: { remoteUrl: 'https://registry-1.docker.io', contentMaxAge: 1440, metadataMaxAge: 1440 },
    negativeCache: { enabled: true, timeToLive: 1440 },
    httpClient: {
      blocked: false,
      autoBlock: true,
      connection: { retries: 0, userAgentSuffix: 'ci', timeout: 60, enableCircularRedirects: false, enableCookies: false, useTrustStore: false },
      authentication: { type: 'username', username: 'hub-user', password: 'hub-secret', ntlmHost: null, ntlmDomain: null },
    },
    routingRule: null,
    docker: { v1Enabled: false, forceBasicAuth: false, httpPort: null, httpsPort: null, subdomain: null },
    dockerProxy: { indexType: 'HUB', indexUrl: null, cacheForeignLayers: false, foreignLayerUrlWhitelist: [] },
  };
}

function nexusHosted(name: string): Record<string, unknown> {
  return {
    name,
    online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW' },
    cleanup: { policyNames: [] },
    docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null, httpsPort: null, subdomain: null },
  };
}

describe('a Nexus provisioning script against Wharf', () => {
  const wharf = useTestWharf();
  let registry: Registry;
  const images = Array.from({ length: 55 }, (_, i) => imageManifest({ annotations: { n: String(i) } }));

  beforeAll(async () => {
    registry = new Registry(wharf.http);
    expect((await wharf.http.sendJson('POST', `${API}/repositories/docker/hosted`, nexusHosted('nx-hosted'))).status).toBe(201);
    expect((await wharf.http.sendJson('POST', `${API}/repositories/docker/proxy`, nexusProxy('nx-proxy'))).status).toBe(201);
    const group = {
      name: 'nx-group', online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true },
      group: { memberNames: ['nx-hosted', 'nx-proxy'], writableMember: 'nx-hosted' },
      docker: { v1Enabled: false, forceBasicAuth: false, httpPort: null },
    };
    expect((await wharf.http.sendJson('POST', `${API}/repositories/docker/group`, group)).status).toBe(201);
    // 55 tags: app:1.0.0 ... , more than one search page (50).
    for (const [i, image] of images.entries()) {
      const name = i < 50 ? 'nx-hosted/team/app' : 'nx-hosted/team/tool';
      await registry.pushImage(name, `1.0.${i}`, image);
    }
  });

  describe('repositories', () => {
    it('lists repositories with attributes.proxy.remoteUrl for proxies, as Nexus does', async () => {
      const list = (await wharf.http.get(`${API}/repositories`)).json<RepositorySummary[]>();
      const proxy = list.find((r) => r.name === 'nx-proxy')!;
      expect(proxy).toMatchObject({ format: 'docker', type: 'proxy', attributes: { proxy: { remoteUrl: 'https://registry-1.docker.io' } } });
      expect(list.find((r) => r.name === 'nx-group')!.attributes.group).toEqual({ memberNames: ['nx-hosted', 'nx-proxy'] });
    });

    it('GET /repositories/{name} answers the full shape of any type; unknown names 404', async () => {
      const proxy = await wharf.http.get(`${API}/repositories/nx-proxy`);
      expect(proxy.status).toBe(200);
      expect(proxy.json()).toMatchObject({
        name: 'nx-proxy', format: 'docker', type: 'proxy', online: true,
        httpClient: { connection: { retries: 0, userAgentSuffix: 'ci', timeout: 60 }, authentication: { type: 'username', username: 'hub-user' } },
        dockerProxy: { indexType: 'HUB', cacheForeignLayers: false, foreignLayerUrlWhitelist: [] },
        routingRuleName: null,
      });
      expect(JSON.stringify(proxy.json())).not.toContain('hub-secret');
      expect((await wharf.http.get(`${API}/repositories/nx-hosted`)).json()).toMatchObject({ type: 'hosted', storage: { writePolicy: 'ALLOW' } });
      expect((await wharf.http.get(`${API}/repositories/nope`)).status).toBe(404);
    });

    it('GET /repositorySettings lists every repository in full', async () => {
      const settings = (await wharf.http.get(`${API}/repositorySettings`)).json<{ name: string; type: string }[]>();
      expect(settings.map((s) => [s.name, s.type])).toEqual([['nx-group', 'group'], ['nx-hosted', 'hosted'], ['nx-proxy', 'proxy']]);
    });

    it('takes back what GET gave (format, type, url included) in a PUT, keeping the connection settings', async () => {
      const view = (await wharf.http.get(`${API}/repositories/docker/proxy/nx-proxy`)).json<Record<string, unknown> & { proxy: { metadataMaxAge: number } }>();
      view.proxy.metadataMaxAge = 60;
      expect((await wharf.http.sendJson('PUT', `${API}/repositories/docker/proxy/nx-proxy`, view)).status).toBe(204);
      const after = (await wharf.http.get(`${API}/repositories/docker/proxy/nx-proxy`)).json<typeof view & { httpClient: { connection: unknown } }>();
      expect(after.proxy.metadataMaxAge).toBe(60);
      expect(after.httpClient.connection).toMatchObject({ userAgentSuffix: 'ci' });
    });

    it.each([
      ['dockerProxy.cacheForeignLayers', { dockerProxy: { indexType: 'HUB', indexUrl: null, cacheForeignLayers: true, foreignLayerUrlWhitelist: [] } }],
      ['dockerProxy.foreignLayerUrlWhitelist', { dockerProxy: { indexType: 'HUB', indexUrl: null, cacheForeignLayers: false, foreignLayerUrlWhitelist: ['.*'] } }],
      ['routingRule', { routingRule: 'only-library' }],
      ['routingRuleName', { routingRuleName: 'only-library' }],
      ['replication', { replication: { preemptivePullEnabled: false } }],
      ['httpClient.authentication.ntlmHost', { httpClient: { blocked: false, autoBlock: true, authentication: { type: 'username', username: 'u', password: 'p', ntlmHost: 'dc1' } } }],
      ['httpClient.connection.proxyHost', { httpClient: { blocked: false, autoBlock: true, authentication: null, connection: { proxyHost: 'x' } } }],
      ['type', { type: 'hosted' }],
    ])('refuses %s with a 400 that names it, and creates nothing', async (field, change) => {
      const res = await wharf.http.sendJson('POST', `${API}/repositories/docker/proxy`, { ...nexusProxy('nx-refused'), ...change });
      expect(res.status).toBe(400);
      const errors = res.json<{ id: string; message: string }[]>();
      expect(errors.some((e) => e.id === field || e.message.includes(field)), JSON.stringify(errors)).toBe(true);
      expect((await wharf.http.get(`${API}/repositories/nx-refused`)).status).toBe(404);
    });
  });

  describe('search', () => {
    it('finds components by repository, name and version (wildcards), 50 per page with a continuation token', async () => {
      const first = (await wharf.http.get(`${API}/search?repository=nx-hosted&name=team/app`)).json<PageJson<ComponentJson>>();
      expect(first.items).toHaveLength(50);
      expect(first.continuationToken).toBeNull();
      const all = (await wharf.http.get(`${API}/search?repository=nx-hosted`)).json<PageJson<ComponentJson>>();
      expect(all.items).toHaveLength(50);
      const rest = (await wharf.http.get(`${API}/search?repository=nx-hosted&continuationToken=${all.continuationToken}`)).json<PageJson<ComponentJson>>();
      expect(rest.items).toHaveLength(5);
      expect(rest.continuationToken).toBeNull();
      const versions = (await wharf.http.get(`${API}/search?name=team/*&version=1.0.5*`)).json<PageJson<ComponentJson>>();
      expect(versions.items.map((c) => `${c.name}:${c.version}`).sort()).toEqual(['team/app:1.0.5', 'team/tool:1.0.50', 'team/tool:1.0.51', 'team/tool:1.0.52', 'team/tool:1.0.53', 'team/tool:1.0.54']);
      const docker = (await wharf.http.get(`${API}/search?docker.imageName=team/tool&sort=version&direction=desc`)).json<PageJson<ComponentJson>>();
      expect(docker.items.map((c) => c.version)).toEqual(['1.0.54', '1.0.53', '1.0.52', '1.0.51', '1.0.50']);
      expect(docker.items[0]).toMatchObject({ repository: 'nx-hosted', format: 'docker', group: null });
      expect((await wharf.http.get(`${API}/search?format=maven2`)).json<PageJson<ComponentJson>>().items).toEqual([]);
    });

    it('searches a group through its members', async () => {
      const found = (await wharf.http.get(`${API}/search?repository=nx-group&name=team/tool`)).json<PageJson<ComponentJson>>();
      expect(found.items.map((c) => c.repository)).toEqual(Array(5).fill('nx-hosted'));
    });

    it('answers /search/assets with the assets of the matching components', async () => {
      const res = (await wharf.http.get(`${API}/search/assets?repository=nx-hosted&name=team/tool&version=1.0.50`)).json<PageJson<AssetJson>>();
      expect(res.items).toHaveLength(1);
      expect(res.items[0]).toMatchObject({ path: 'v2/team/tool/manifests/1.0.50', checksum: { sha256: images[50]!.digest.slice(7) }, fileSize: images[50]!.bytes.length });
    });

    it('refuses what it would otherwise ignore: an unknown parameter, a bad sort, a foreign token', async () => {
      for (const query of ['q=app', 'group=x', 'sort=size', 'direction=up', 'continuationToken=abc']) {
        expect((await wharf.http.get(`${API}/search?${query}`)).status, query).toBe(400);
      }
      expect((await wharf.http.get(`${API}/search?repository=nope`)).status).toBe(404);
    });
  });

  describe('components and assets', () => {
    it('GET /components/{id} and /assets/{id} return what the list gave; /assets lists a repository', async () => {
      const listed = (await wharf.http.get(`${API}/search?repository=nx-hosted&name=team/tool&version=1.0.51`)).json<PageJson<ComponentJson>>().items[0]!;
      const component = await wharf.http.get(`${API}/components/${listed.id}`);
      expect(component.status).toBe(200);
      expect(component.json()).toEqual(listed);
      const asset = await wharf.http.get(`${API}/assets/${listed.assets[0]!.id}`);
      expect(asset.status).toBe(200);
      expect(asset.json()).toMatchObject({ id: listed.assets[0]!.id, repository: 'nx-hosted', checksum: listed.assets[0]!.checksum });
      const assets = (await wharf.http.get(`${API}/assets?repository=nx-hosted`)).json<PageJson<AssetJson>>();
      expect(assets.items.length).toBeGreaterThan(0);
      expect((await wharf.http.get(`${API}/assets`)).status).toBe(400);
      expect((await wharf.http.get(`${API}/components/not-an-id`)).status).toBe(404);
      expect((await wharf.http.get(`${API}/assets/${Buffer.from('nx-hosted:team/tool@sha256:00').toString('base64url')}`)).status).toBe(404);
    });

    it('DELETE /components/{id} removes the tag and the manifest only it kept; DELETE /assets/{id} removes the manifest', async () => {
      const page = (await wharf.http.get(`${API}/search?repository=nx-hosted&name=team/tool`)).json<PageJson<ComponentJson>>().items;
      const tagged = page.find((c) => c.version === '1.0.52')!;
      const other = page.find((c) => c.version === '1.0.53')!;
      expect((await wharf.http.delete(`${API}/components/${tagged.id}`)).status).toBe(204);
      expect((await wharf.http.get(`${API}/components/${tagged.id}`)).status).toBe(404);
      expect((await registry.getManifest('nx-hosted/team/tool', '1.0.52')).status).toBe(404);
      expect((await registry.getManifest('nx-hosted/team/tool', images[52]!.digest)).status).toBe(404);
      expect((await wharf.http.delete(`${API}/components/${tagged.id}`)).status).toBe(404);

      // A manifest another tag points at stays.
      expect((await registry.putManifest('nx-hosted/team/tool', 'also-51', images[51]!)).status).toBe(201);
      const shared = (await wharf.http.get(`${API}/search?repository=nx-hosted&name=team/tool&version=1.0.51`)).json<PageJson<ComponentJson>>().items[0]!;
      expect((await wharf.http.delete(`${API}/components/${shared.id}`)).status).toBe(204);
      expect((await registry.getManifest('nx-hosted/team/tool', '1.0.51')).status).toBe(404);
      expect((await registry.getManifest('nx-hosted/team/tool', 'also-51')).status).toBe(200);
      expect((await registry.getManifest('nx-hosted/team/tool', images[51]!.digest)).status).toBe(200);

      expect((await wharf.http.delete(`${API}/assets/${other.assets[0]!.id}`)).status).toBe(204);
      expect((await wharf.http.get(`${API}/assets/${other.assets[0]!.id}`)).status).toBe(404);
      expect((await registry.getManifest('nx-hosted/team/tool', images[53]!.digest)).status).toBe(404);
      expect((await registry.getManifest('nx-hosted/team/tool', '1.0.53')).status).toBe(404);
    });

    it('hides components of repositories the caller may not browse, and refuses deletes without the delete privilege', async () => {
      const reader = { username: 'nx-reader', password: 'reader-password-1' };
      await wharf.http.sendJson('POST', `${API}/security/roles`, {
        id: 'nx-proxy-browse', name: 'b', description: '', privileges: ['nx-repository-view-docker-nx-proxy-browse', 'nx-repository-view-docker-nx-hosted-browse'], roles: [],
      });
      await wharf.http.sendJson('POST', `${API}/security/users`, {
        userId: reader.username, firstName: 'R', lastName: 'R', emailAddress: 'r@example.org', password: reader.password, status: 'active', roles: ['nx-proxy-browse'],
      });
      const component = (await wharf.http.get(`${API}/search?repository=nx-hosted&name=team/tool&version=1.0.54`)).json<PageJson<ComponentJson>>().items[0]!;
      expect((await wharf.http.as(reader).get(`${API}/components/${component.id}`)).status).toBe(200);
      expect((await wharf.http.as(reader).delete(`${API}/components/${component.id}`)).status).toBe(403);
      await wharf.http.sendJson('PUT', `${API}/security/roles/nx-proxy-browse`, { id: 'nx-proxy-browse', name: 'b', description: '', privileges: ['nx-repository-view-docker-nx-proxy-browse'], roles: [] });
      expect((await wharf.http.as(reader).get(`${API}/components/${component.id}`)).status).toBe(404);
      expect((await wharf.http.as(reader).get(`${API}/search?name=team/tool`)).json<PageJson<ComponentJson>>().items).toEqual([]);
    });
  });

  it('DELETE /repositories/{name} removes a repository; then GET answers 404', async () => {
    expect((await wharf.http.delete(`${API}/repositories/nx-group`)).status).toBe(204);
    expect((await wharf.http.get(`${API}/repositories/nx-group`)).status).toBe(404);
    expect((await wharf.http.delete(`${API}/repositories/nx-group`)).status).toBe(404);
  });
});
