import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageManifest, randomBlob } from '@wharf/test-kit';
import { type HttpResult, rawRequest } from '../support/http';
import { freePort } from '../support/ports';
import { Registry } from '../support/registry';
import { createHosted } from '../support/rest';
import { storedTokenKeys } from '../../../../test/support/wharf-data';
import {
  BearerClient,
  type SecureWharf,
  claimsOf,
  createRole,
  createUser,
  fetchToken,
  parseBearerChallenge,
  setAnonymous,
  startSecureWharf,
  tokenFor,
} from './support/secure-wharf';

// Docker token authentication (docs/spec/auth/token.md) exactly as docker does it: request -> 401 with a
// Bearer challenge -> GET the realm with Basic credentials and the challenge's scope -> retry with the token.

let wharf: SecureWharf;
let portA: number;
let portB: number;
const imageA = imageManifest();
const imageB = imageManifest();
const reader = { username: 'reader', password: `r-${randomBytes(8).toString('hex')}` };

beforeAll(async () => {
  wharf = await startSecureWharf();
  portA = await freePort();
  portB = await freePort();
  await createHosted(wharf.http, 'tok-a', { httpPort: portA });
  await createHosted(wharf.http, 'tok-b', { httpPort: portB });
  // Basic credentials are accepted in token mode too (as Nexus does): seed both repositories.
  await new Registry(wharf.on(portA)).pushImage('app', 'v1', imageA);
  await new Registry(wharf.on(portB)).pushImage('app', 'v1', imageB);
  await createRole(wharf.http, 'tok-readers', ['nx-repository-view-docker-tok-a-read', 'nx-repository-view-docker-tok-a-browse']);
  await createUser(wharf.http, reader.username, reader.password, ['tok-readers']);
});

afterAll(async () => {
  await wharf?.close();
});

function expectBearerChallenge(res: HttpResult, realm: string, scope?: string, error?: string): void {
  expect(res.status, res.text()).toBe(401);
  const c = parseBearerChallenge(res.header('www-authenticate'));
  expect(c.realm).toBe(realm);
  expect(c.service).toBe('wharf-registry');
  expect(c.scope).toBe(scope);
  expect(c.error).toBe(error);
  if (res.body.length > 0) expect(res.errorCodes()).toEqual(['UNAUTHORIZED']);
}

describe('the token flow on a connector port', () => {
  it('GET /v2/ -> 401 Bearer challenge -> token with Basic -> GET /v2/ with the token is 200', async () => {
    const origin = `http://127.0.0.1:${portA}`;
    const first = await wharf.anonymous.request('GET', `${origin}/v2/`);
    expectBearerChallenge(first, `${origin}/v2/token`);
    const { realm, service } = parseBearerChallenge(first.header('www-authenticate'));
    const res = await fetchToken(realm, service, [], wharf.admin);
    expect(res.status, res.text()).toBe(200);
    expect(res.header('cache-control')).toBe('no-store');
    const body = res.json<{ token: string; access_token: string; expires_in: number; issued_at: string }>();
    expect(body.token).toBe(body.access_token);
    expect(body.expires_in).toBeGreaterThanOrEqual(60);
    expect(Number.isNaN(Date.parse(body.issued_at))).toBe(false);
    expect(claimsOf(body.token)).toMatchObject({ sub: 'admin', access: [] });
    expect((await new BearerClient(origin, body.token).get('/v2/')).status).toBe(200);
  });

  it('a manifest request is challenged with its scope; the token names the qualified repository', async () => {
    const origin = `http://127.0.0.1:${portA}`;
    expectBearerChallenge(await wharf.anonymous.request('GET', `${origin}/v2/app/manifests/v1`), `${origin}/v2/token`, 'repository:app:pull');
    const { client, access } = await tokenFor(origin, '/v2/app/manifests/v1', wharf.admin);
    expect(access).toEqual([{ type: 'repository', name: 'tok-a/app', actions: ['pull'] }]);
    const res = await new Registry(client).getManifest('app', 'v1');
    expect(res.status, res.text()).toBe(200);
    expect(res.body.equals(imageA.bytes)).toBe(true);
    // The pull token does not cover a push: 401 asking for pull,push.
    expectBearerChallenge(await client.post('/v2/app/blobs/uploads/'), `${origin}/v2/token`, 'repository:app:pull,push', 'insufficient_scope');
  });

  it('docker push with a pull,push token', async () => {
    const origin = `http://127.0.0.1:${portA}`;
    const { client, access } = await tokenFor(origin, '/v2/pushed/blobs/uploads/', wharf.admin, 'POST');
    expect(access).toEqual([{ type: 'repository', name: 'tok-a/pushed', actions: ['pull', 'push'] }]);
    const m = imageManifest();
    await new Registry(client).pushImage('pushed', '1', m);
    expect((await new Registry(wharf.on(portA)).getManifest('pushed', '1')).body.equals(m.bytes)).toBe(true);
  });
});

describe('the token flow on the main port', () => {
  it('/v2/<repo>/<image>: realm on the main port, scope and claim <repo>/<image>', async () => {
    expectBearerChallenge(await wharf.anonymous.get('/v2/tok-a/app/manifests/v1'), `${wharf.url}/v2/token`, 'repository:tok-a/app:pull');
    const { client, access } = await tokenFor(wharf.url, '/v2/tok-a/app/manifests/v1', wharf.admin);
    expect(access).toEqual([{ type: 'repository', name: 'tok-a/app', actions: ['pull'] }]);
    expect((await new Registry(client).getManifest('tok-a/app', 'v1')).status).toBe(200);
  });

  it('/repository/<repo>/v2/<image>: realm under the prefix, scope <image>', async () => {
    const path = '/repository/tok-a/v2/app/manifests/v1';
    expectBearerChallenge(await wharf.anonymous.get(path), `${wharf.url}/repository/tok-a/v2/token`, 'repository:app:pull');
    const { client, access } = await tokenFor(wharf.url, path, wharf.admin);
    expect(access).toEqual([{ type: 'repository', name: 'tok-a/app', actions: ['pull'] }]);
    expect((await client.get(path)).status).toBe(200);
  });

  it('WWW-Authenticate realm follows the Host the client used', async () => {
    const res = await rawRequest({ port: wharf.port, method: 'GET', path: '/v2/', headers: { Host: `localhost:${wharf.port}` } });
    expect(parseBearerChallenge(res.header('www-authenticate')).realm).toBe(`http://localhost:${wharf.port}/v2/token`);
  });
});

describe('a token is good for what it names only', () => {
  it('a token issued for repository A can neither pull nor push B (connector or main port)', async () => {
    const a = `http://127.0.0.1:${portA}`;
    const b = `http://127.0.0.1:${portB}`;
    const { token } = await tokenFor(a, '/v2/app/blobs/uploads/', wharf.admin, 'POST');
    expect(claimsOf(token).access).toEqual([{ type: 'repository', name: 'tok-a/app', actions: ['pull', 'push'] }]);
    const onB = new BearerClient(b, token);
    expectBearerChallenge(await onB.get('/v2/app/manifests/v1'), `${b}/v2/token`, 'repository:app:pull', 'insufficient_scope');
    expectBearerChallenge(await onB.post('/v2/app/blobs/uploads/'), `${b}/v2/token`, 'repository:app:pull,push', 'insufficient_scope');
    const main = new BearerClient(wharf.url, token);
    expect((await main.get('/v2/tok-b/app/manifests/v1')).status).toBe(401);
    expect((await main.get('/v2/tok-a/app/manifests/v1')).status).toBe(200);
    // Another image of the same repository is another resource.
    expect((await new BearerClient(a, token).get('/v2/other/tags/list')).status).toBe(401);
  });

  describe('forged and stale tokens are 401', () => {
    let ring: { kid: string; secret: Buffer }[];
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const hs256 = (secret: Buffer, input: string) => createHmac('sha256', secret).update(input).digest('base64url');
    const payload = (extra: Record<string, unknown> = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return {
        iss: 'wharf-token-service',
        sub: 'admin',
        aud: 'wharf-registry',
        iat: now,
        nbf: now - 1,
        exp: now + 300,
        jti: 'x',
        access: [{ type: 'repository', name: 'tok-a/app', actions: ['pull'] }],
        ...extra,
      };
    };
    const forge = (header: Record<string, unknown>, claims: Record<string, unknown>, secret: Buffer) => {
      const h = b64(header);
      const p = b64(claims);
      return `${h}.${p}.${hs256(secret, `${h}.${p}`)}`;
    };

    beforeAll(async () => {
      ring = await storedTokenKeys(wharf.dataDir);
    });

    it('a token forged with the real key is accepted (the forging helper is right)', async () => {
      const key = ring[0]!;
      const token = forge({ typ: 'JWT', alg: 'HS256', kid: key.kid }, payload(), key.secret);
      expect((await new BearerClient(`http://127.0.0.1:${portA}`, token).get('/v2/app/manifests/v1')).status).toBe(200);
    });

    it.each<[string, () => string]>([
      ['expired', () => forge({ typ: 'JWT', alg: 'HS256', kid: ring[0]!.kid }, payload({ exp: Math.floor(Date.now() / 1000) - 10 }), ring[0]!.secret)],
      ['signed with another key', () => forge({ typ: 'JWT', alg: 'HS256', kid: ring[0]!.kid }, payload(), randomBytes(32))],
      ['of an unknown kid', () => forge({ typ: 'JWT', alg: 'HS256', kid: 'unknown' }, payload(), randomBytes(32))],
      ['alg none', () => `${b64({ typ: 'JWT', alg: 'none', kid: ring[0]!.kid })}.${b64(payload())}.`],
      ['for another audience', () => forge({ typ: 'JWT', alg: 'HS256', kid: ring[0]!.kid }, payload({ aud: 'registry.docker.io' }), ring[0]!.secret)],
      [
        'tampered (payload swapped after signing)',
        () => {
          const [h, , s] = forge({ typ: 'JWT', alg: 'HS256', kid: ring[0]!.kid }, payload(), ring[0]!.secret).split('.');
          return `${h}.${b64(payload({ access: [{ type: 'repository', name: 'tok-b/app', actions: ['pull', 'push', 'delete'] }] }))}.${s}`;
        },
      ],
      ['of a user that does not exist', () => forge({ typ: 'JWT', alg: 'HS256', kid: ring[0]!.kid }, payload({ sub: 'ghost' }), ring[0]!.secret)],
    ])('%s', async (_what, make) => {
      const origin = `http://127.0.0.1:${portA}`;
      const res = await new BearerClient(origin, make()).get('/v2/app/manifests/v1');
      expectBearerChallenge(res, `${origin}/v2/token`, 'repository:app:pull', 'invalid_token');
    });
  });
});

describe('a read-only user', () => {
  const origin = () => `http://127.0.0.1:${portA}`;

  it('asks for pull,push and is granted pull only: pulls; a push or delete is 401 insufficient_scope', async () => {
    const { client, access } = await tokenFor(origin(), '/v2/app/blobs/uploads/', reader, 'POST');
    expect(access).toEqual([{ type: 'repository', name: 'tok-a/app', actions: ['pull'] }]);
    const registry = new Registry(client);
    expect((await registry.getManifest('app', 'v1')).status).toBe(200);
    const blob = await client.get(`/v2/app/blobs/${imageA.blobs[1]!.digest}`);
    expect(blob.status).toBe(200);
    expect(blob.body.equals(imageA.blobs[1]!.bytes)).toBe(true);
    expectBearerChallenge(await client.post('/v2/app/blobs/uploads/'), `${origin()}/v2/token`, 'repository:app:pull,push', 'insufficient_scope');
    expectBearerChallenge(await registry.putManifest('app', 'v2', imageManifest()), `${origin()}/v2/token`, 'repository:app:pull,push', 'insufficient_scope');
    expect((await client.delete(`/v2/app/manifests/${imageA.digest}`)).status).toBe(401);
    // Asking for delete explicitly grants nothing more.
    const del = await fetchToken(`${origin()}/v2/token`, 'wharf-registry', ['repository:app:pull,push,delete,*'], reader);
    expect(claimsOf(del.json<{ token: string }>().token).access).toEqual([{ type: 'repository', name: 'tok-a/app', actions: ['pull'] }]);
  });

  it('with Basic credentials: pull works, push and delete are 403 DENIED, nothing is stored', async () => {
    const registry = new Registry(wharf.on(portA).as(reader));
    expect((await registry.getManifest('app', 'v1')).status).toBe(200);
    const start = await registry.http.post('/v2/app/blobs/uploads/');
    expect(start.status).toBe(403);
    expect(start.errorCodes()).toEqual(['DENIED']);
    const del = await registry.http.delete(`/v2/app/manifests/${imageA.digest}`);
    expect(del.status).toBe(403);
    expect((await new Registry(wharf.on(portA)).getManifest('app', imageA.digest)).status).toBe(200);
  });

  it('is granted nothing on repository B, and B is 403 with Basic', async () => {
    const res = await fetchToken(`http://127.0.0.1:${portB}/v2/token`, 'wharf-registry', ['repository:app:pull'], reader);
    expect(claimsOf(res.json<{ token: string }>().token).access).toEqual([]);
    expect((await wharf.on(portB).as(reader).get('/v2/app/manifests/v1')).status).toBe(403);
  });

  it('the catalog lists only what the user may browse (Basic and token)', async () => {
    const basic = await wharf.http.as(reader).get('/v2/_catalog');
    expect(basic.status, basic.text()).toBe(200);
    const names = basic.json<{ repositories: string[] }>().repositories;
    expect(names).toContain('tok-a/app');
    expect(names.filter((n) => !n.startsWith('tok-a/'))).toEqual([]);
    const admin = (await wharf.http.get('/v2/_catalog')).json<{ repositories: string[] }>().repositories;
    expect(admin).toEqual(expect.arrayContaining(['tok-a/app', 'tok-b/app']));
    expectBearerChallenge(await wharf.anonymous.get('/v2/_catalog'), `${wharf.url}/v2/token`, 'registry:catalog:*');
    const { client } = await tokenFor(wharf.url, '/v2/_catalog', reader);
    const viaToken = await client.get('/v2/_catalog');
    expect(viaToken.status, viaToken.text()).toBe(200);
    expect(viaToken.json()).toEqual(basic.json());
    // The connector catalog of a repository it may not browse is refused.
    expect((await wharf.on(portB).as(reader).get('/v2/_catalog')).status).toBe(403);
  });
});

describe('push is add (new tags) and edit (moving tags)', () => {
  const adder = { username: 'adder', password: `a-${randomBytes(8).toString('hex')}` };
  beforeAll(async () => {
    await createRole(wharf.http, 'tok-adders', ['nx-repository-view-docker-tok-a-read', 'nx-repository-view-docker-tok-a-add']);
    await createUser(wharf.http, adder.username, adder.password, ['tok-adders']);
  });

  it('a user with add but not edit pushes new tags, re-pushes the same content, but cannot move a tag', async () => {
    const registry = new Registry(wharf.on(portA).as(adder));
    const first = imageManifest();
    await registry.pushImage('adds', 'v1', first);
    expect((await registry.putManifest('adds', 'v1', first)).status).toBe(201);
    const second = imageManifest();
    await registry.pushBlobs('adds', second.blobs);
    const moved = await registry.putManifest('adds', 'v1', second);
    expect(moved.status, moved.text()).toBe(403);
    expect(moved.errorCodes()).toEqual(['DENIED']);
    expect((await registry.getManifest('adds', 'v1')).body.equals(first.bytes)).toBe(true);
    expect((await registry.putManifest('adds', 'v2', second)).status).toBe(201);
    expect((await registry.http.delete(`/v2/adds/manifests/${first.digest}`)).status).toBe(403);
  });

  it('through the token flow, moving a tag without edit is 401 insufficient_scope', async () => {
    const origin = `http://127.0.0.1:${portA}`;
    const { client } = await tokenFor(origin, '/v2/adds/blobs/uploads/', adder, 'POST');
    const third = imageManifest();
    const registry = new Registry(client);
    await registry.pushBlobs('adds', third.blobs);
    expect((await registry.putManifest('adds', 'v1', third)).status).toBe(401);
    expect((await registry.putManifest('adds', 'v3', third)).status).toBe(201);
  });
});

describe('a cross-repository mount from a repository the caller cannot read', () => {
  it('falls back to a normal upload (202), and the blob is not linked', async () => {
    const writerB = { username: 'writer-b', password: `w-${randomBytes(8).toString('hex')}` };
    await createRole(wharf.http, 'tok-b-writers', ['nx-repository-view-docker-tok-b-*']);
    await createUser(wharf.http, writerB.username, writerB.password, ['tok-b-writers']);
    const digest = imageA.blobs[1]!.digest;
    const http = wharf.http.as(writerB);
    const res = await http.post(`/v2/tok-b/mounted/blobs/uploads/?mount=${digest}&from=tok-a/app`);
    expect(res.status, res.text()).toBe(202);
    expect((await wharf.http.head(`/v2/tok-b/mounted/blobs/${digest}`)).status).toBe(404);
    // The admin, who can read tok-a, gets the mount.
    const admin = await wharf.http.post(`/v2/tok-b/mounted/blobs/uploads/?mount=${digest}&from=tok-a/app`);
    expect(admin.status, admin.text()).toBe(201);
  });
});

describe('anonymous access and the token endpoint', () => {
  let openPort: number;
  const openImage = imageManifest({ layers: [randomBlob(2000)] });

  beforeAll(async () => {
    openPort = await freePort();
    const body = {
      name: 'tok-open',
      online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW' },
      cleanup: { policyNames: [] },
      docker: { v1Enabled: false, forceBasicAuth: false, httpPort: openPort, httpsPort: null, subdomain: null },
    };
    const res = await wharf.http.sendJson('POST', '/service/rest/v1/repositories/docker/hosted', body);
    expect(res.status, res.text()).toBe(201);
    await new Registry(wharf.on(openPort)).pushImage('pub', '1', openImage);
  });

  it('with anonymous access off, an anonymous token grants nothing', async () => {
    await setAnonymous(wharf.http, false);
    const res = await fetchToken(`http://127.0.0.1:${openPort}/v2/token`, 'wharf-registry', ['repository:pub:pull'], null);
    expect(res.status, res.text()).toBe(200);
    const token = res.json<{ token: string }>().token;
    expect(claimsOf(token)).toMatchObject({ sub: '', access: [] });
    expect((await new BearerClient(`http://127.0.0.1:${openPort}`, token).get('/v2/pub/manifests/1')).status).toBe(401);
    expect((await wharf.anonymous.request('GET', `http://127.0.0.1:${openPort}/v2/pub/manifests/1`)).status).toBe(401);
  });

  it('with it on: an anonymous token for a forceBasicAuth:false repository pulls; nothing for forceBasicAuth:true', async () => {
    await setAnonymous(wharf.http, true);
    try {
      const origin = `http://127.0.0.1:${openPort}`;
      // No credentials at all: served as the anonymous user.
      expect((await wharf.anonymous.request('GET', `${origin}/v2/pub/manifests/1`)).status).toBe(200);
      const res = await fetchToken(`${origin}/v2/token`, 'wharf-registry', ['repository:pub:pull,push'], null);
      expect(res.status, res.text()).toBe(200);
      const token = res.json<{ token: string }>().token;
      expect(claimsOf(token)).toMatchObject({ sub: '', access: [{ type: 'repository', name: 'tok-open/pub', actions: ['pull'] }] });
      const client = new BearerClient(origin, token);
      const pulled = await new Registry(client).getManifest('pub', '1');
      expect(pulled.status).toBe(200);
      expect(pulled.body.equals(openImage.bytes)).toBe(true);
      expect((await client.post('/v2/pub/blobs/uploads/')).status).toBe(401);
      const closed = await fetchToken(`http://127.0.0.1:${portA}/v2/token`, 'wharf-registry', ['repository:app:pull'], null);
      expect(claimsOf(closed.json<{ token: string }>().token).access).toEqual([]);
      expect((await wharf.anonymous.request('GET', `http://127.0.0.1:${portA}/v2/app/manifests/v1`)).status).toBe(401);
      // The API root still challenges (docker learns the realm there, and gets an anonymous token next).
      const ping = await wharf.anonymous.request('GET', `${origin}/v2/`);
      expect(ping.status).toBe(401);
      const anonymousToken = (await fetchToken(`${origin}/v2/token`, 'wharf-registry', [], null)).json<{ token: string }>().token;
      expect((await new BearerClient(origin, anonymousToken).get('/v2/')).status).toBe(200);
    } finally {
      await setAnonymous(wharf.http, false);
    }
  });

  it('an anonymous token stops working when anonymous access is switched off', async () => {
    await setAnonymous(wharf.http, true);
    const origin = `http://127.0.0.1:${openPort}`;
    const token = (await fetchToken(`${origin}/v2/token`, 'wharf-registry', ['repository:pub:pull'], null)).json<{ token: string }>().token;
    expect((await new BearerClient(origin, token).get('/v2/pub/manifests/1')).status).toBe(200);
    await setAnonymous(wharf.http, false);
    expect((await new BearerClient(origin, token).get('/v2/pub/manifests/1')).status).toBe(401);
  });
});

describe('the token endpoint', () => {
  it('wrong credentials: 401, the same for an unknown user and a wrong password', async () => {
    const realm = `http://127.0.0.1:${portA}/v2/token`;
    const wrong = await fetchToken(realm, 'wharf-registry', ['repository:app:pull'], { username: 'reader', password: 'nope' });
    const unknown = await fetchToken(realm, 'wharf-registry', ['repository:app:pull'], { username: 'nobody-here', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text()).toBe(unknown.text());
    expect(wrong.errorCodes()).toEqual(['UNAUTHORIZED']);
  });

  it('a malformed scope is 400', async () => {
    const res = await fetchToken(`${wharf.url}/v2/token`, 'wharf-registry', ['repository'], wharf.admin);
    expect(res.status).toBe(400);
  });

  it('the OAuth2 password grant (POST form) works too', async () => {
    const body = new URLSearchParams({ grant_type: 'password', username: reader.username, password: reader.password, service: 'wharf-registry', scope: 'repository:tok-a/app:pull' });
    const res = await wharf.anonymous.post('/v2/token', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    expect(res.status, res.text()).toBe(200);
    const token = res.json<{ access_token: string }>().access_token;
    expect(claimsOf(token).access).toEqual([{ type: 'repository', name: 'tok-a/app', actions: ['pull'] }]);
  });

  it('a user whose role is revoked loses access at once, even with a token in flight', async () => {
    const temp = { username: 'temp', password: `t-${randomBytes(8).toString('hex')}` };
    await createUser(wharf.http, temp.username, temp.password, ['tok-readers']);
    const { client } = await tokenFor(`http://127.0.0.1:${portA}`, '/v2/app/manifests/v1', temp);
    expect((await client.get('/v2/app/manifests/v1')).status).toBe(200);
    const put = await wharf.http.sendJson('PUT', `/service/rest/v1/security/users/${temp.username}`, { userId: temp.username, roles: [] });
    expect(put.status, put.text()).toBe(204);
    expect((await client.get('/v2/app/manifests/v1')).status).toBe(401);
  });
});

describe('a group never serves a member the caller may not read', () => {
  it('members it may not read are invisible through the group; the admin sees them', async () => {
    const res = await wharf.http.sendJson('POST', '/service/rest/v1/repositories/docker/group', {
      name: 'tok-g',
      online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true },
      group: { memberNames: ['tok-b', 'tok-a'], writableMember: null },
      docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null },
    });
    expect(res.status, res.text()).toBe(201);
    const groupReader = { username: 'group-reader', password: `g-${randomBytes(8).toString('hex')}` };
    await createRole(wharf.http, 'tok-group-readers', ['nx-repository-view-docker-tok-g-read', 'nx-repository-view-docker-tok-a-read']);
    await createUser(wharf.http, groupReader.username, groupReader.password, ['tok-group-readers']);
    // tok-b comes first and has its own app:v1; the reader may not read tok-b, so the group answers with tok-a's.
    const asReader = await wharf.http.as(groupReader).get('/v2/tok-g/app/manifests/v1');
    expect(asReader.status, asReader.text()).toBe(200);
    expect(asReader.header('docker-content-digest')).toBe(imageA.digest);
    expect((await wharf.http.get('/v2/tok-g/app/manifests/v1')).header('docker-content-digest')).toBe(imageB.digest);
    // tok-b's blobs are not served to the reader through the group.
    expect((await wharf.http.as(groupReader).get(`/v2/tok-g/app/blobs/${imageB.blobs[1]!.digest}`)).status).toBe(404);
    expect((await wharf.http.get(`/v2/tok-g/app/blobs/${imageB.blobs[1]!.digest}`)).status).toBe(200);
    // Through the token flow too.
    const { client } = await tokenFor(wharf.url, '/v2/tok-g/app/manifests/v1', groupReader);
    expect((await client.get('/v2/tok-g/app/manifests/v1')).header('docker-content-digest')).toBe(imageA.digest);
  });
});
