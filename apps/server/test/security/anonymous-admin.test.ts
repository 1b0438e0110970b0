import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageManifest } from '@wharf/test-kit';
import { freePort } from '../support/ports';
import { Registry } from '../support/registry';
import { REPOSITORIES, fieldIds, hostedBody } from '../support/rest';
import { SECURITY, type SecureWharf, createUser, setAnonymous, startSecureWharf } from './support/secure-wharf';

// The anonymous user may never be an administrator (every caller without credentials would be one),
// and user ids are unique regardless of case.

let wharf: SecureWharf;
let port: number;

beforeAll(async () => {
  wharf = await startSecureWharf();
  port = await freePort();
  const body = { ...hostedBody('open-repo', { httpPort: port }), docker: { v1Enabled: false, forceBasicAuth: false, httpPort: port } };
  expect((await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/hosted`, body)).status).toBe(201);
  await new Registry(wharf.on(port)).pushImage('app', '1', imageManifest());
});

afterAll(async () => {
  await wharf?.close();
});

describe('the anonymous user is never an administrator', () => {
  it.each([
    ['admin', /administrative privileges/],
    ['no-such-user', /does not exist/],
  ])('PUT security/anonymous with userId %s is 400 and changes nothing', async (userId, message) => {
    const res = await wharf.http.sendJson('PUT', `${SECURITY}/anonymous`, { enabled: true, userId, realmName: 'NexusAuthorizingRealm' });
    expect(res.status, res.text()).toBe(400);
    expect(fieldIds(res)).toContain('userId');
    expect(res.text()).toMatch(message);
    expect((await wharf.http.get(`${SECURITY}/anonymous`)).json<{ userId: string; enabled: boolean }>()).toMatchObject({ userId: 'anonymous', enabled: false });
  });

  it('an anonymous user made an administrator afterwards gets nothing on the registry (not push, not delete)', async () => {
    await setAnonymous(wharf.http, true);
    const anonymous = new Registry(wharf.on(port).as(null));
    expect((await anonymous.getManifest('app', '1')).status).toBe(200);
    const res = await wharf.http.sendJson('PUT', `${SECURITY}/users/anonymous`, {
      userId: 'anonymous',
      firstName: 'Anonymous',
      lastName: 'User',
      emailAddress: 'anonymous@example.org',
      status: 'active',
      roles: ['nx-admin'],
    });
    expect(res.status, res.text()).toBe(204);
    try {
      const manifest = imageManifest();
      for (const blob of manifest.blobs) {
        const push = await wharf.on(port).as(null).post(`/v2/evil/blobs/uploads/?digest=${blob.digest}`, { headers: { 'Content-Type': 'application/octet-stream' }, body: blob.bytes });
        expect(push.status, push.text()).toBe(401);
      }
      const pulled = await anonymous.getManifest('app', '1');
      expect(pulled.status).toBe(401);
      const digest = (await new Registry(wharf.on(port)).getManifest('app', '1')).header('docker-content-digest')!;
      expect((await wharf.on(port).as(null).delete(`/v2/app/manifests/${digest}`)).status).toBe(401);
      expect((await new Registry(wharf.on(port)).getManifest('app', '1')).status).toBe(200);
    } finally {
      await wharf.http.sendJson('PUT', `${SECURITY}/users/anonymous`, {
        userId: 'anonymous',
        firstName: 'Anonymous',
        lastName: 'User',
        emailAddress: 'anonymous@example.org',
        status: 'active',
        roles: ['nx-anonymous'],
      });
      await setAnonymous(wharf.http, false);
    }
  });
});

describe('user ids are unique regardless of case', () => {
  it.each(['ADMIN', 'Admin', 'ANONYMOUS'])('%s cannot be created next to the existing user', async (userId) => {
    const res = await wharf.http.sendJson('POST', `${SECURITY}/users`, {
      userId,
      firstName: 'x',
      lastName: 'y',
      emailAddress: 'x@example.org',
      password: `p-${randomBytes(10).toString('hex')}`,
      status: 'active',
      roles: [],
    });
    expect(res.status, res.text()).toBe(400);
    expect(fieldIds(res)).toContain('userId');
    expect(res.text()).toMatch(/regardless of case/);
  });

  it('a user and another spelling of it', async () => {
    await createUser(wharf.http, 'carol.case', `p-${randomBytes(10).toString('hex')}`, []);
    const res = await wharf.http.sendJson('POST', `${SECURITY}/users`, {
      userId: 'Carol.Case',
      password: `p-${randomBytes(10).toString('hex')}`,
      status: 'active',
      roles: [],
    });
    expect(res.status).toBe(400);
    const ids = (await wharf.http.get(`${SECURITY}/users`)).json<{ userId: string }[]>().map((u) => u.userId.toLowerCase());
    expect(ids.filter((id) => id === 'carol.case')).toHaveLength(1);
  });
});
