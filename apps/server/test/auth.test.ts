import { beforeAll, describe, expect, it } from 'vitest';
import { imageManifest, randomBlob } from '@wharf/test-kit';
import type { HttpResult } from './support/http';
import { Registry, expectHeadError } from './support/registry';
import { type HostedFixture, hostedFixture } from './support/setup';
import { useTestWharf } from './support/wharf';

const wharf = useTestWharf({ loginThrottle: [{ name: 'user-address', maxFailures: 10_000, windowMs: 60_000 }] });
let repo: HostedFixture;
const m = imageManifest();

// This file pins the Basic realm (DockerToken off); the token realm, the default, is covered in security/.
beforeAll(async () => {
  // Many deliberate failures from one address: loosen the throttle here (security/ tests the real limits).
  const realms = await wharf.http.put('/service/rest/v1/security/realms/active', {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(['NexusAuthenticatingRealm']),
  });
  expect(realms.status).toBe(204);
  repo = await hostedFixture(wharf, 'auth-hosted');
  await repo.connector.pushImage('app', 'v1', m);
});

function expectChallenge(res: HttpResult, head = false): void {
  expect(res.status).toBe(401);
  expect(res.header('www-authenticate')).toMatch(/^Basic realm="Wharf"/);
  expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
  if (!head) expect(res.errorCodes()).toEqual(['UNAUTHORIZED']);
}

const anonymous = null;
const wrongPassword = () => ({ username: 'admin', password: `${wharf.admin.password}x` });
const unknownUser = () => ({ username: 'nobody', password: wharf.admin.password });

describe('registry API', () => {
  it.each([
    ['no credentials', () => anonymous],
    ['a wrong password', wrongPassword],
    ['an unknown user', unknownUser],
  ])('%s: 401 with WWW-Authenticate: Basic realm="Wharf" on every port and route', async (_what, auth) => {
    const creds = auth();
    const main = wharf.http.as(creds);
    const connector = wharf.on(repo.httpPort!).as(creds);
    expectChallenge(await main.get('/v2/'));
    expectChallenge(await connector.get('/v2/'));
    expectChallenge(await main.get('/v2/auth-hosted/app/manifests/v1'));
    expectChallenge(await main.get('/repository/auth-hosted/v2/app/manifests/v1'));
    expectChallenge(await connector.get('/v2/app/manifests/v1'));
    expectChallenge(await connector.head('/v2/app/manifests/v1'), true);
    expectChallenge(await connector.get(`/v2/app/blobs/${m.blobs[1]!.digest}`));
    expectChallenge(await connector.get('/v2/app/tags/list'));
    expectChallenge(await connector.get('/v2/_catalog'));
    expectChallenge(await main.get('/v2/_catalog'));
    expectChallenge(await connector.post('/v2/app/blobs/uploads/'));
    expectChallenge(await connector.delete(`/v2/app/manifests/${m.digest}`));
  });

  it('an unauthenticated push stores nothing', async () => {
    const anon = new Registry(wharf.on(repo.httpPort!).as(null));
    const blob = randomBlob(100);
    const res = await anon.http.post(anon.uploadsPath('anon', `?digest=${blob.digest}`), {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: blob.bytes,
    });
    expectChallenge(res);
    expectChallenge(await anon.putManifest('app', 'v2', m));
    expectHeadError(await repo.connector.headBlob('anon', blob.digest), 404);
    expect((await repo.connector.getManifest('app', 'v2')).status).toBe(404);
  });

  it('an unauthenticated request does not reveal whether a repository exists', async () => {
    expectChallenge(await wharf.anonymous.get('/v2/no-such-repo/app/manifests/v1'));
    expectChallenge(await wharf.anonymous.get('/v2/auth-hosted/app/manifests/v1'));
  });

  it('malformed Authorization headers are 401', async () => {
    for (const value of ['Basic', 'Basic !!!not-base64', `Basic ${Buffer.from('no-colon').toString('base64')}`, 'Bearer abc.def.ghi', 'Digest username="admin"']) {
      const res = await wharf.anonymous.get('/v2/', { headers: { Authorization: value } });
      expect(res.status, value).toBe(401);
      expect(res.header('www-authenticate'), value).toMatch(/^Basic realm="Wharf"/);
    }
  });

  it('the right credentials work on every port', async () => {
    expect((await wharf.http.get('/v2/')).status).toBe(200);
    expect((await repo.connector.http.get('/v2/')).status).toBe(200);
    const res = await repo.main.getManifest('auth-hosted/app', 'v1');
    expect(res.status).toBe(200);
    expect(res.body.equals(m.bytes)).toBe(true);
  });

  it('a wrong password after a right one is still refused', async () => {
    expect((await wharf.http.get('/v2/')).status).toBe(200);
    expectChallenge(await wharf.http.as(wrongPassword()).get('/v2/'));
  });
});

describe('REST API', () => {
  it('no credentials: 401 with a Basic challenge', async () => {
    const res = await wharf.anonymous.get('/service/rest/v1/repositories');
    expect(res.status).toBe(401);
    expect(res.header('www-authenticate')).toMatch(/^Basic realm="Wharf"/);
  });

  it('a wrong password or unknown user: 401', async () => {
    for (const auth of [wrongPassword(), unknownUser()]) {
      const res = await wharf.http.get('/service/rest/v1/repositories', { auth });
      expect(res.status, auth.username).toBe(401);
      expect(res.header('www-authenticate')).toMatch(/^Basic realm="Wharf"/);
    }
  });

  it('status endpoints need no credentials', async () => {
    expect((await wharf.anonymous.get('/service/rest/v1/status')).status).toBe(200);
    expect((await wharf.anonymous.get('/service/rest/v1/status/writable')).status).toBe(200);
  });
});
