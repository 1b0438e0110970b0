import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageManifest } from '@wharf/test-kit';
import type { HttpResult } from '../support/http';
import { freePort } from '../support/ports';
import { Registry } from '../support/registry';
import { REPOSITORIES, createHosted } from '../support/rest';
import {
  BearerClient,
  SECURITY,
  type SecureWharf,
  createRole,
  createUser,
  parseBearerChallenge,
  setAnonymous,
  setRealms,
  startSecureWharf,
  tokenFor,
} from './support/secure-wharf';

// The Nexus-shaped security REST API, API tokens, the realms switch and the audit log; at the end, proof
// that no password, token or upstream credential ever appeared in a response or in the server's log.

let wharf: SecureWharf;
let port: number;
const secrets: string[] = [];
const responses: HttpResult[] = [];
const dev = { username: 'dev', password: `dev-${randomBytes(10).toString('hex')}` };
const upstreamPassword = `upstream-${randomBytes(10).toString('hex')}`;
const image = imageManifest();

/** Remembers every response so that the final check can look for secrets in all of them. */
function seen<T extends HttpResult>(res: T): T {
  responses.push(res);
  return res;
}

beforeAll(async () => {
  wharf = await startSecureWharf();
  secrets.push(wharf.admin.password, dev.password, upstreamPassword);
  port = await freePort();
  await createHosted(wharf.http, 'rs-dev', { httpPort: port });
  await createHosted(wharf.http, 'rs-secret', { httpPort: null });
  await new Registry(wharf.on(port)).pushImage('app', '1', image);
  await createRole(wharf.http, 'rs-developers', ['nx-repository-view-docker-rs-dev-*']);
  await createUser(wharf.http, dev.username, dev.password, ['rs-developers']);
});

afterAll(async () => {
  await wharf?.close();
});

describe('users', () => {
  it('GET lists users in the Nexus shape, never a password or hash', async () => {
    const res = seen(await wharf.http.get(`${SECURITY}/users`));
    expect(res.status).toBe(200);
    const users = res.json<Record<string, unknown>[]>();
    expect(users.map((u) => u.userId)).toEqual(expect.arrayContaining(['admin', 'anonymous', 'dev']));
    const devUser = users.find((u) => u.userId === 'dev');
    expect(devUser).toEqual({
      userId: 'dev',
      firstName: 'dev',
      lastName: 'Test',
      emailAddress: 'dev@example.org',
      source: 'default',
      status: 'active',
      readOnly: false,
      roles: ['rs-developers'],
      externalRoles: [],
    });
    expect(users.find((u) => u.userId === 'admin')?.roles).toEqual(['nx-admin']);
    expect(users.find((u) => u.userId === 'anonymous')?.roles).toEqual(['nx-anonymous']);
    expect(res.text()).not.toMatch(/password|scrypt/i);
  });

  it('POST validates each field, refuses duplicates and unknown roles', async () => {
    const bad = seen(await wharf.http.sendJson('POST', `${SECURITY}/users`, { userId: 'bad user', password: '', status: 'weird', roles: 'x' }));
    expect(bad.status).toBe(400);
    expect(bad.json<{ id: string }[]>().map((e) => e.id)).toEqual(expect.arrayContaining(['userId', 'password', 'status', 'roles']));
    const dup = seen(await wharf.http.sendJson('POST', `${SECURITY}/users`, { userId: 'dev', password: 'x', roles: [] }));
    expect(dup.status).toBe(400);
    const role = seen(await wharf.http.sendJson('POST', `${SECURITY}/users`, { userId: 'newbie', password: 'x', roles: ['no-such-role'] }));
    expect(role.status).toBe(400);
    expect(role.json<{ id: string }[]>()[0]!.id).toBe('roles');
  });

  it('PUT changes a user (not its password); change-password takes text/plain or JSON and forgets the old one', async () => {
    const temp = { username: 'temp', password: `tmp-${randomBytes(8).toString('hex')}` };
    secrets.push(temp.password);
    await createUser(wharf.http, temp.username, temp.password, []);
    expect((await wharf.http.as(temp).get('/v2/')).status).toBe(200); // remembered for 60 s from now on
    const put = seen(await wharf.http.sendJson('PUT', `${SECURITY}/users/temp`, { userId: 'temp', firstName: 'T', lastName: 'Emp', emailAddress: 't@example.org', status: 'active', roles: ['rs-developers'], source: 'default', readOnly: false, externalRoles: [] }));
    expect(put.status, put.text()).toBe(204);
    expect((await wharf.http.get(`${SECURITY}/users`)).json<{ userId: string; firstName: string; roles: string[] }[]>().find((u) => u.userId === 'temp')).toMatchObject({ firstName: 'T', roles: ['rs-developers'] });
    const mismatch = seen(await wharf.http.sendJson('PUT', `${SECURITY}/users/temp`, { userId: 'other' }));
    expect(mismatch.status).toBe(400);

    const next = `next-${randomBytes(8).toString('hex')}`;
    secrets.push(next);
    const text = seen(await wharf.http.put(`${SECURITY}/users/temp/change-password`, { headers: { 'Content-Type': 'text/plain' }, body: next }));
    expect(text.status, text.text()).toBe(204);
    expect((await wharf.http.as(temp).get('/v2/')).status).toBe(401);
    expect((await wharf.http.as({ username: 'temp', password: next }).get('/v2/')).status).toBe(200);

    // A user changes their own password (JSON form); not someone else's.
    const third = `third-${randomBytes(8).toString('hex')}`;
    secrets.push(third);
    const self = seen(await wharf.http.as({ username: 'temp', password: next }).sendJson('PUT', `${SECURITY}/users/temp/change-password`, { password: third }));
    expect(self.status, self.text()).toBe(204);
    const other = seen(await wharf.http.as({ username: 'temp', password: third }).sendJson('PUT', `${SECURITY}/users/dev/change-password`, { password: 'hijack' }));
    expect(other.status).toBe(403);
    const empty = seen(await wharf.http.sendJson('PUT', `${SECURITY}/users/temp/change-password`, { password: '' }));
    expect(empty.status).toBe(400);
    const malformed = seen(await wharf.http.put(`${SECURITY}/users/temp/change-password`, { headers: { 'Content-Type': 'application/json' }, body: `{"password": "${third}` }));
    expect(malformed.status).toBe(400);
    expect(malformed.text()).not.toContain(third);

    // Disabling and deleting take effect at once, cached passwords included.
    const disabled = seen(await wharf.http.sendJson('PUT', `${SECURITY}/users/temp`, { userId: 'temp', status: 'disabled' }));
    expect(disabled.status).toBe(204);
    expect((await wharf.http.as({ username: 'temp', password: third }).get('/v2/')).status).toBe(401);
    expect(seen(await wharf.http.delete(`${SECURITY}/users/temp`)).status).toBe(204);
    expect(seen(await wharf.http.delete(`${SECURITY}/users/temp`)).status).toBe(404);
  });

  it('an administrator cannot delete itself or the anonymous user', async () => {
    expect(seen(await wharf.http.delete(`${SECURITY}/users/admin`)).status).toBe(400);
    expect(seen(await wharf.http.delete(`${SECURITY}/users/anonymous`)).status).toBe(400);
  });
});

describe('roles and privileges', () => {
  it('lists the built-in roles; nx-admin is read-only', async () => {
    const roles = seen(await wharf.http.get(`${SECURITY}/roles`)).json<{ id: string; readOnly: boolean; privileges: string[] }[]>();
    expect(roles.find((r) => r.id === 'nx-admin')).toMatchObject({ readOnly: true, privileges: ['nx-all'] });
    expect(roles.find((r) => r.id === 'nx-anonymous')?.privileges).toEqual(['nx-repository-view-*-*-browse', 'nx-repository-view-*-*-read']);
    expect(seen(await wharf.http.sendJson('PUT', `${SECURITY}/roles/nx-admin`, { id: 'nx-admin', privileges: [] })).status).toBe(400);
    expect(seen(await wharf.http.delete(`${SECURITY}/roles/nx-admin`)).status).toBe(400);
  });

  it('POST/GET/PUT/DELETE a role; bad privileges, unknown and cyclic roles are 400', async () => {
    const created = seen(await wharf.http.sendJson('POST', `${SECURITY}/roles`, { id: 'rs-tmp', name: 'Tmp', description: 'd', privileges: ['nx-repository-view-docker-rs-dev-read'], roles: [] }));
    expect(created.status, created.text()).toBe(200);
    expect(created.json()).toEqual({ id: 'rs-tmp', source: 'default', name: 'Tmp', description: 'd', readOnly: false, privileges: ['nx-repository-view-docker-rs-dev-read'], roles: [] });
    expect(seen(await wharf.http.get(`${SECURITY}/roles/rs-tmp`)).json()).toMatchObject({ id: 'rs-tmp' });
    const put = seen(await wharf.http.sendJson('PUT', `${SECURITY}/roles/rs-tmp`, { id: 'rs-tmp', name: 'Tmp', description: 'd2', privileges: ['nx-repository-view-docker-*-browse'], roles: ['rs-developers'] }));
    expect(put.status, put.text()).toBe(204);
    const badPrivilege = seen(await wharf.http.sendJson('POST', `${SECURITY}/roles`, { id: 'rs-bad', privileges: ['nx-repository-view-docker-x-pull'] }));
    expect(badPrivilege.status).toBe(400);
    expect(badPrivilege.json<{ id: string }[]>()[0]!.id).toBe('privileges');
    expect(seen(await wharf.http.sendJson('POST', `${SECURITY}/roles`, { id: 'rs-bad', roles: ['nope'] })).status).toBe(400);
    const cycle = seen(await wharf.http.sendJson('PUT', `${SECURITY}/roles/rs-developers`, { id: 'rs-developers', privileges: ['nx-repository-view-docker-rs-dev-*'], roles: ['rs-tmp'] }));
    expect(cycle.status).toBe(400);
    expect(seen(await wharf.http.delete(`${SECURITY}/roles/rs-tmp`)).status).toBe(204);
    expect(seen(await wharf.http.get(`${SECURITY}/roles/rs-tmp`)).status).toBe(404);
  });

  it('GET /privileges lists the repository-view privileges of the current repositories', async () => {
    const names = seen(await wharf.http.get(`${SECURITY}/privileges`)).json<{ name: string }[]>().map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['nx-all', 'nx-repository-view-docker-rs-dev-read', 'nx-repository-view-docker-rs-secret-add', 'nx-repository-view-*-*-*']));
  });
});

describe('who may use the REST API', () => {
  it('a non-administrator may not change configuration or read security settings', async () => {
    const as = wharf.http.as(dev);
    expect(seen(await as.get(`${SECURITY}/users`)).status).toBe(403);
    expect(seen(await as.get(`${SECURITY}/roles`)).status).toBe(403);
    expect(seen(await as.get(`${SECURITY}/realms/active`)).status).toBe(403);
    expect(seen(await as.get('/service/rest/v1/audit')).status).toBe(403);
    expect(seen(await as.sendJson('POST', `${REPOSITORIES}/docker/hosted`, { name: 'nope' })).status).toBe(403);
    expect(seen(await as.delete(`${REPOSITORIES}/rs-dev`)).status).toBe(403);
    expect(seen(await as.sendJson('PUT', `${SECURITY}/anonymous`, { enabled: true })).status).toBe(403);
  });

  it('a non-administrator sees the repositories and components it may browse, nothing else', async () => {
    const as = wharf.http.as(dev);
    const list = seen(await as.get(REPOSITORIES));
    expect(list.status).toBe(200);
    expect(list.json<{ name: string }[]>().map((r) => r.name)).toEqual(['rs-dev']);
    expect(seen(await as.get(`${REPOSITORIES}/docker/hosted/rs-dev`)).status).toBe(200);
    expect(seen(await as.get(`${REPOSITORIES}/docker/hosted/rs-secret`)).status).toBe(404);
    const components = seen(await as.get('/service/rest/v1/components?repository=rs-dev'));
    expect(components.status).toBe(200);
    expect(components.json<{ items: { name: string }[] }>().items.map((c) => c.name)).toEqual(['app']);
    expect(seen(await as.get('/service/rest/v1/components?repository=rs-secret')).status).toBe(404);
  });

  it('anonymous callers browse with anonymous access on, and are asked to log in otherwise', async () => {
    expect(seen(await wharf.anonymous.get(REPOSITORIES)).status).toBe(401);
    await setAnonymous(wharf.http, true);
    try {
      // The anonymous role may browse everything, but forceBasicAuth repositories are not for anonymous callers.
      const list = seen(await wharf.anonymous.get(REPOSITORIES));
      expect(list.status).toBe(200);
      expect(list.json()).toEqual([]);
      expect(seen(await wharf.anonymous.get(`${SECURITY}/users`)).status).toBe(401);
    } finally {
      await setAnonymous(wharf.http, false);
    }
  });

  it('security responses carry no-store, nosniff and DENY framing', async () => {
    const res = seen(await wharf.http.get(`${SECURITY}/users`));
    expect(res.header('cache-control')).toBe('no-store');
    expect(res.header('x-content-type-options')).toBe('nosniff');
    expect(res.header('x-frame-options')).toBe('DENY');
    const repos = seen(await wharf.http.get(REPOSITORIES));
    expect(repos.header('x-content-type-options')).toBe('nosniff');
    expect(repos.header('x-frame-options')).toBe('DENY');
  });
});

describe('API tokens', () => {
  let created: { id: string; name: string; token: string; createdAt: string };

  it('POST returns the secret once; GET lists without it', async () => {
    // The creation response is the one place the secret appears (not tracked by seen()).
    const res = await wharf.http.as(dev).sendJson('POST', `${SECURITY}/api-tokens`, { name: 'ci' });
    expect(res.status, res.text()).toBe(201);
    created = res.json();
    secrets.push(created.token);
    expect(created).toMatchObject({ name: 'ci', token: expect.stringMatching(/^wharf_/) });
    expect(Number.isNaN(Date.parse(created.createdAt))).toBe(false);
    const list = seen(await wharf.http.as(dev).get(`${SECURITY}/api-tokens`));
    expect(list.json()).toEqual([expect.objectContaining({ id: created.id, name: 'ci', userId: 'dev' })]);
    expect(list.text()).not.toContain(created.token);
    // Administrators see everyone's.
    expect(seen(await wharf.http.get(`${SECURITY}/api-tokens`)).json<{ id: string }[]>().map((t) => t.id)).toContain(created.id);
    expect(seen(await wharf.http.as(dev).sendJson('POST', `${SECURITY}/api-tokens`, { name: '' })).status).toBe(400);
  });

  it('works as a bearer token on the REST API, with its user\'s privileges', async () => {
    const rest = new BearerClient(wharf.url, created.token);
    const list = seen(await rest.get(REPOSITORIES));
    expect(list.status, list.text()).toBe(200);
    expect(list.json<{ name: string }[]>().map((r) => r.name)).toEqual(['rs-dev']);
    expect(seen(await rest.get(`${SECURITY}/users`)).status).toBe(403);
    const bogus = seen(await new BearerClient(wharf.url, `wharf_${'A'.repeat(43)}`).get(REPOSITORIES));
    expect(bogus.status).toBe(401);
  });

  it('works on the registry API: as a bearer token, and as the password of docker login', async () => {
    const registry = new Registry(new BearerClient(`http://127.0.0.1:${port}`, created.token));
    expect((await registry.getManifest('app', '1')).status).toBe(200);
    await registry.pushImage('from-ci', '1', imageManifest());
    const basic = new Registry(wharf.on(port).as({ username: 'dev', password: created.token }));
    expect((await basic.getManifest('from-ci', '1')).status).toBe(200);
    // The token endpoint takes it as a password too.
    const { client } = await tokenFor(`http://127.0.0.1:${port}`, '/v2/app/manifests/1', { username: 'dev', password: created.token });
    expect((await client.get('/v2/app/manifests/1')).status).toBe(200);
    // Another user's name with it is wrong credentials.
    expect((await wharf.on(port).as({ username: 'admin', password: created.token }).get('/v2/app/manifests/1')).status).toBe(401);
    // Out of its user's privileges: nothing.
    expect((await new BearerClient(wharf.url, created.token).get('/v2/rs-secret/app/tags/list')).status).toBe(403);
  });

  it('only its owner or an administrator revokes it; after that it is refused everywhere', async () => {
    const other = await wharf.http.sendJson('POST', `${SECURITY}/api-tokens`, { name: 'admin-token' });
    const adminToken = other.json<{ id: string; token: string }>();
    secrets.push(adminToken.token);
    expect(seen(await wharf.http.as(dev).delete(`${SECURITY}/api-tokens/${adminToken.id}`)).status).toBe(404);
    expect(seen(await wharf.http.as(dev).delete(`${SECURITY}/api-tokens/${created.id}`)).status).toBe(204);
    expect(seen(await new BearerClient(wharf.url, created.token).get(REPOSITORIES)).status).toBe(401);
    expect((await new BearerClient(`http://127.0.0.1:${port}`, created.token).get('/v2/app/manifests/1')).status).toBe(401);
    expect(seen(await wharf.http.delete(`${SECURITY}/api-tokens/${adminToken.id}`)).status).toBe(204);
  });
});

describe('realms', () => {
  it('GET shows both realms by default; the local realm cannot be switched off', async () => {
    expect(seen(await wharf.http.get(`${SECURITY}/realms/active`)).json()).toEqual(['NexusAuthenticatingRealm', 'DockerToken']);
    expect(seen(await wharf.http.get(`${SECURITY}/realms/available`)).json<{ id: string }[]>().map((r) => r.id)).toEqual(['NexusAuthenticatingRealm', 'DockerToken']);
    expect(seen(await wharf.http.sendJson('PUT', `${SECURITY}/realms/active`, ['DockerToken'])).status).toBe(400);
    expect(seen(await wharf.http.sendJson('PUT', `${SECURITY}/realms/active`, ['NexusAuthenticatingRealm', 'LdapRealm'])).status).toBe(400);
    expect(seen(await wharf.http.sendJson('PUT', `${SECURITY}/realms/active`, { realms: [] })).status).toBe(400);
  });

  it('without DockerToken the registry challenges with Basic, and registry tokens are refused', async () => {
    const origin = `http://127.0.0.1:${port}`;
    const { token } = await tokenFor(origin, '/v2/app/manifests/1', dev);
    expect((await new BearerClient(origin, token).get('/v2/app/manifests/1')).status).toBe(200);
    await setRealms(wharf.http, ['NexusAuthenticatingRealm']);
    try {
      const res = await wharf.anonymous.request('GET', `${origin}/v2/app/manifests/1`);
      expect(res.status).toBe(401);
      expect(res.header('www-authenticate')).toBe('Basic realm="Wharf"');
      expect((await wharf.anonymous.get('/v2/')).header('www-authenticate')).toBe('Basic realm="Wharf"');
      expect((await wharf.anonymous.request('GET', `${origin}/v2/token?service=wharf-registry`)).status).toBe(404);
      const refused = await new BearerClient(origin, token).get('/v2/app/manifests/1');
      expect(refused.status).toBe(401);
      expect(refused.header('www-authenticate')).toBe('Basic realm="Wharf"');
      expect((await wharf.on(port).as(dev).get('/v2/app/manifests/1')).status).toBe(200);
      expect(seen(await wharf.http.get(`${SECURITY}/realms/active`)).json()).toEqual(['NexusAuthenticatingRealm']);
    } finally {
      await setRealms(wharf.http, ['NexusAuthenticatingRealm', 'DockerToken']);
    }
    const back = await wharf.anonymous.request('GET', `${origin}/v2/app/manifests/1`);
    expect(parseBearerChallenge(back.header('www-authenticate')).scope).toBe('repository:app:pull');
  });
});

describe('audit log', () => {
  it('records configuration changes and authentication failures, newest first, paged with before', async () => {
    expect((await wharf.http.as({ username: 'dev', password: 'wrong-password' }).get('/v2/')).status).toBe(401);
    const res = seen(await wharf.http.get('/service/rest/v1/audit?limit=1000'));
    expect(res.status).toBe(200);
    expect(res.header('cache-control')).toBe('no-store');
    const { items } = res.json<{ items: { id: number; action: string; actor: string | null; target: string | null; timestamp: string }[] }>();
    const actions = items.map((e) => e.action);
    for (const action of [
      'repository.create',
      'security.role.create',
      'security.role.update',
      'security.role.delete',
      'security.user.create',
      'security.user.update',
      'security.user.change-password',
      'security.user.delete',
      'security.anonymous.update',
      'security.realms.update',
      'security.api-token.create',
      'security.api-token.revoke',
      'authentication.failure',
    ]) {
      expect(actions, action).toContain(action);
    }
    expect(items.find((e) => e.action === 'repository.create' && e.target === 'rs-dev')).toMatchObject({ actor: 'admin' });
    expect(items.find((e) => e.action === 'authentication.failure')).toMatchObject({ actor: null, target: 'dev' });
    const ids = items.map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const page = seen(await wharf.http.get('/service/rest/v1/audit?limit=2')).json<{ items: { id: number }[]; nextBefore: number }>();
    expect(page.items).toHaveLength(2);
    const next = seen(await wharf.http.get(`/service/rest/v1/audit?limit=2&before=${page.nextBefore}`)).json<{ items: { id: number }[] }>();
    expect(next.items[0]!.id).toBeLessThan(page.items[1]!.id + 1);
    expect(next.items[0]!.id).toBe(ids[2]);
    expect(seen(await wharf.http.get('/service/rest/v1/audit?limit=0')).status).toBe(400);
  });
});

describe('no secret leaks', () => {
  it('a proxy repository\'s upstream password is never returned', async () => {
    const body = {
      name: 'rs-proxy',
      online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true },
      proxy: { remoteUrl: 'http://127.0.0.1:9', contentMaxAge: 1440, metadataMaxAge: 1440 },
      negativeCache: { enabled: true, timeToLive: 1440 },
      httpClient: { blocked: false, autoBlock: true, authentication: { type: 'username', username: 'robot', password: upstreamPassword } },
      docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null },
      dockerProxy: { indexType: 'REGISTRY', indexUrl: null },
    };
    expect(seen(await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/proxy`, body)).status).toBe(201);
    seen(await wharf.http.get(`${REPOSITORIES}/docker/proxy/rs-proxy`));
    seen(await wharf.http.get(`/v2/rs-proxy/library/busybox/manifests/1`)); // upstream unreachable: an error, without credentials
    seen(await wharf.http.get(`${REPOSITORIES}/rs-proxy/status`));
    seen(await wharf.http.get('/service/rest/v1/audit?limit=1000'));
  });

  it('no password, API token or upstream credential in any REST response or in the server log', () => {
    const log = wharf.log();
    expect(log.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(log.includes(secret), `a secret appears in the server log`).toBe(false);
      for (const res of responses) expect(res.text().includes(secret), `a secret appears in a response: ${res.text().slice(0, 200)}`).toBe(false);
    }
    // Basic credentials as they travel, too.
    expect(log.includes(Buffer.from(`admin:${wharf.admin.password}`).toString('base64'))).toBe(false);
  });
});
