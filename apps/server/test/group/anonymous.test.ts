import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, imageManifest, randomBlob } from '@wharf/test-kit';
import type { HttpResult } from '../support/http';
import { freePort } from '../support/ports';
import { Registry } from '../support/registry';
import { useTestWharf } from '../support/wharf';
import { ACCEPT_ALL, type Upstream, startUpstream } from '../proxy/support/proxy-fixture';
import { type GroupFixture, createGroup, createHostedOn, createProxyRepo, setAnonymous } from './support/group-fixture';

// Anonymous access through a group: the group allows anonymous pulls (forceBasicAuth false), its proxy
// member does too, its hosted member does not. An anonymous caller sees only what it may read; when it
// asks for something only a hidden member could have, it is asked to log in (401 with a challenge),
// not told "not found" (404), so that docker sends its credentials.

const wharf = useTestWharf();
let upstream: Upstream;
let group: GroupFixture;
let openGroup: GroupFixture;
let hosted: Registry;
const privateImage: Manifest = imageManifest({ layers: [randomBlob(5000)] });
const publicImage: Manifest = imageManifest({ layers: [randomBlob(6000)] });
const accept = { headers: { Accept: ACCEPT_ALL } };

beforeAll(async () => {
  upstream = await startUpstream('grp-anon');
  await setAnonymous(wharf, true);
  await upstream.direct.pushImage('team/public', '1', publicImage);
  hosted = (await createHostedOn(wharf, 'ga-hosted')).registry; // forceBasicAuth: true
  await hosted.pushImage('team/private', '1', privateImage);
  // The hosted member also has a tag of the public image that anonymous callers must not see.
  await hosted.pushImage('team/public', 'internal', imageManifest());
  await createProxyRepo(wharf, 'ga-proxy', { remoteUrl: upstream.faults.url, forceBasicAuth: false });
  group = await createGroup(wharf, 'ga-all', { memberNames: ['ga-hosted', 'ga-proxy'], writableMember: 'ga-hosted', forceBasicAuth: false });
  openGroup = await createGroup(wharf, 'ga-open', { memberNames: ['ga-proxy'], forceBasicAuth: false });
});

afterAll(async () => {
  await upstream?.close();
});

function expectChallenge(res: HttpResult, head = false): void {
  expect(res.status, res.text()).toBe(401);
  expect(res.header('www-authenticate'), 'WWW-Authenticate').toBeTruthy();
  expect(res.header('www-authenticate')).toMatch(/^(Basic|Bearer) realm="/);
  expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
  if (!head) expect(res.errorCodes()).toContain('UNAUTHORIZED');
}

describe('anonymous pulls through a group with a hidden (forceBasicAuth) hosted member', () => {
  it('an image only the hidden member has: 401 with WWW-Authenticate; with admin credentials: 200', async () => {
    expectChallenge(await group.anonymous.getManifest('team/private', '1', accept));
    expectChallenge(await group.anonymous.headManifest('team/private', '1', accept), true);
    expectChallenge(await group.anonymous.getManifest('team/private', privateImage.digest, accept));
    expectChallenge(await group.anonymous.getBlob('team/private', privateImage.blobs[1]!.digest));

    const res = await group.connector.getManifest('team/private', '1', accept);
    expect(res.status, res.text()).toBe(200);
    expect(res.header('docker-content-digest')).toBe(privateImage.digest);
    expect(res.body.equals(privateImage.bytes)).toBe(true);
    const blob = await group.connector.getBlob('team/private', privateImage.blobs[1]!.digest);
    expect(blob.status).toBe(200);
    expect(blob.body.equals(privateImage.blobs[1]!.bytes)).toBe(true);
  });

  it('the same through the main port by path', async () => {
    const anon = new Registry(wharf.anonymous);
    expectChallenge(await anon.getManifest('ga-all/team/private', '1', accept));
    expectChallenge(await new Registry(wharf.anonymous, '/repository/ga-all').getManifest('team/private', '1', accept));
    expect((await new Registry(wharf.http).getManifest('ga-all/team/private', '1', accept)).status).toBe(200);
  });

  it('an image the readable proxy member has is served anonymously (manifest and blobs)', async () => {
    const res = await group.anonymous.getManifest('team/public', '1', accept);
    expect(res.status, res.text()).toBe(200);
    expect(res.header('docker-content-digest')).toBe(publicImage.digest);
    for (const blob of publicImage.blobs) {
      const b = await group.anonymous.getBlob('team/public', blob.digest);
      expect(b.status, b.text()).toBe(200);
      expect(b.body.equals(blob.bytes)).toBe(true);
    }
  });

  it('tags/list: anonymous callers get the readable members\' tags only; the admin gets all', async () => {
    const anon = await group.anonymous.tags('team/public');
    expect(anon.status, anon.text()).toBe(200);
    expect(anon.json()).toEqual({ name: 'team/public', tags: ['1'] });
    const admin = await group.connector.tags('team/public');
    expect(admin.json()).toEqual({ name: 'team/public', tags: ['1', 'internal'] });
    expectChallenge(await group.anonymous.tags('team/private'));
  });

  it('_catalog: anonymous callers do not see the names of images only the hidden member has', async () => {
    const admin = await group.connector.catalog();
    expect(admin.status, admin.text()).toBe(200);
    expect(admin.json<{ repositories: string[] }>().repositories).toEqual(expect.arrayContaining(['team/private', 'team/public']));
    const anon = await group.anonymous.catalog();
    expect(anon.status, anon.text()).toBe(200);
    expect(anon.json<{ repositories: string[] }>().repositories).not.toContain('team/private');
    expect(anon.json<{ repositories: string[] }>().repositories).toContain('team/public');
  });

  it('_catalog on the main port: anonymous callers do not see the hidden member\'s images under the group', async () => {
    const anon = await wharf.anonymous.get('/v2/_catalog?n=1000');
    expect(anon.status, anon.text()).toBe(200);
    const names = anon.json<{ repositories: string[] }>().repositories;
    expect(names).not.toContain('ga-all/team/private');
    expect(names.filter((n) => n.startsWith('ga-hosted/'))).toEqual([]);
  });

  it('an anonymous push through the group is asked to log in (401), and stores nothing', async () => {
    const blob = randomBlob(128);
    const start = await group.anonymous.http.post(group.anonymous.uploadsPath('team/anon-push'));
    expectChallenge(start);
    const monolithic = await group.anonymous.http.post(group.anonymous.uploadsPath('team/anon-push', `?digest=${blob.digest}`), {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: blob.bytes,
    });
    expectChallenge(monolithic);
    expectChallenge(await group.anonymous.putManifest('team/anon-push', '1', imageManifest()));
    expect((await hosted.getBlob('team/anon-push', blob.digest)).status).toBe(404);
  });

  it('an image no member has is still 404 for the admin (nothing hidden from it)', async () => {
    const res = await group.connector.getManifest('team/nowhere', '1', accept);
    expect(res.status, res.text()).toBe(404);
  });
});

describe('anonymous pulls through a group that hides nothing', () => {
  it('an unknown image is 404 MANIFEST_UNKNOWN, not a login prompt', async () => {
    const res = await openGroup.anonymous.getManifest('team/nowhere', '1', accept);
    expect(res.status, res.text()).toBe(404);
    expect(res.errorCodes()).toContain('MANIFEST_UNKNOWN');
  });

  it('readable content is served', async () => {
    const res = await openGroup.anonymous.getManifest('team/public', '1', accept);
    expect(res.status, res.text()).toBe(200);
    expect(res.header('docker-content-digest')).toBe(publicImage.digest);
  });
});

describe('with anonymous access switched off', () => {
  it('the group asks every anonymous caller to log in, even for public content', async () => {
    await setAnonymous(wharf, false);
    try {
      expectChallenge(await group.anonymous.getManifest('team/public', '1', accept));
      expectChallenge(await group.anonymous.http.get('/v2/'));
      expect((await group.connector.getManifest('team/public', '1', accept)).status).toBe(200);
    } finally {
      await setAnonymous(wharf, true);
    }
  });
});

describe('anonymous pulls of a hidden member\'s image while a proxy member\'s upstream is down', () => {
  it('still ask the caller to log in (401), not 503, and the admin still gets the image', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await createProxyRepo(wharf, 'ga-dead-proxy', { remoteUrl: closed, forceBasicAuth: false });
    const outage = await createGroup(wharf, 'ga-outage', { memberNames: ['ga-dead-proxy', 'ga-hosted'], forceBasicAuth: false });
    expectChallenge(await outage.anonymous.getManifest('team/private', '1', accept));
    const res = await outage.connector.getManifest('team/private', '1', accept);
    expect(res.status, res.text()).toBe(200);
    expect(res.header('docker-content-digest')).toBe(privateImage.digest);
  });
});
