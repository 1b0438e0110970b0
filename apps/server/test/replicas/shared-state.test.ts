import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageManifest } from '@wharf/test-kit';
import { HttpClient } from '../support/http';
import { freePort } from '../support/ports';
import { Registry } from '../support/registry';
import { createHosted, deleteRepository, updateHosted } from '../support/rest';
import { type TestWharf, startTestWharf } from '../support/wharf';
import { type ReplicaPair, startReplicaPair, within } from './support/replica-pair';
import { SECURITY, createRole, createUser, setAnonymous, tokenFor } from '../security/support/secure-wharf';

// Two Wharfs on ONE PostgreSQL database, as replicas behind a load balancer (support/replica-pair.ts).
// What one changes, the other must apply within a second (LISTEN/NOTIFY), without a restart.

let pair: ReplicaPair;
let a: TestWharf;
let b: TestWharf;

const password = () => `pw-${randomBytes(8).toString('hex')}`;

beforeAll(async () => {
  pair = await startReplicaPair(password());
  ({ a, b } = pair);
});

afterAll(async () => {
  await pair?.close();
});

describe('replicas on one PostgreSQL database follow each other', () => {
  it('a replica with another secret key refuses to start, saying which file to share', async () => {
    await expect(startTestWharf({ database: { url: a.databaseUrl! }, keepData: false, config: { host: '127.0.0.3' } })).rejects.toThrow(
      /is not the key the secrets in this database were sealed with.*WHARF_SECRET_KEY_FILE/,
    );
  });

  it('a user created on A logs in on B at once, and a token issued by A works on B', async () => {
    const port = await freePort();
    await createHosted(a.http, 'shared-users', { httpPort: port, blobStoreName: 'shared' });
    await createRole(a.http, 'shared-reader', ['nx-repository-view-docker-shared-users-read']);
    const user = { username: 'replica-user', password: password() };
    await createUser(a.http, user.username, user.password, ['shared-reader']);
    // Immediately, no wait: the user's Basic credentials on B's main port.
    const tags = await b.anonymous.as(user).get('/v2/shared-users/app/tags/list');
    expect(tags.status, tags.text()).toBe(404); // authorized: the image does not exist (not 401)
    const { token } = await tokenFor(a.url, '/v2/shared-users/app/tags/list', user);
    const onB = await new HttpClient(b.url, null).get('/v2/shared-users/app/tags/list', { headers: { Authorization: `Bearer ${token}` } });
    expect(onB.status, onB.text()).toBe(404);
  });

  it("a role's privileges revoked on A stop working on B within a second", async () => {
    const user = { username: 'revoked-user', password: password() };
    await createRole(a.http, 'shared-browser', ['nx-repository-view-docker-shared-users-read']);
    await createUser(a.http, user.username, user.password, ['shared-browser']);
    expect((await b.anonymous.as(user).get('/v2/shared-users/app/tags/list')).status).toBe(404);
    const res = await a.http.sendJson('PUT', `${SECURITY}/roles/shared-browser`, { id: 'shared-browser', name: 'shared-browser', description: 'none', privileges: [], roles: [] });
    expect(res.status, res.text()).toBe(204);
    await within(1000, 'B denies the user', async () => (await b.anonymous.as(user).get('/v2/shared-users/app/tags/list')).status === 403);
  });

  it("a password changed on A: B refuses the old one at once, although it had just verified it", async () => {
    const user = { username: 'changing-user', password: password() };
    await createUser(a.http, user.username, user.password, ['nx-admin']);
    expect((await b.anonymous.as(user).get('/service/rest/v1/repositories')).status).toBe(200);
    const next = password();
    const changed = await a.http.request('PUT', `${SECURITY}/users/${user.username}/change-password`, { headers: { 'Content-Type': 'text/plain' }, body: next });
    expect(changed.status, changed.text()).toBe(204);
    await within(1000, 'B refuses the old password', async () => (await b.anonymous.as(user).get('/service/rest/v1/repositories')).status === 401);
    expect((await b.anonymous.as({ username: user.username, password: next }).get('/service/rest/v1/repositories')).status).toBe(200);
  });

  it('anonymous access switched on at A lets anonymous pulls through on B within a second', async () => {
    await createHosted(a.http, 'open-doors', { blobStoreName: 'shared' });
    // forceBasicAuth is true by default; anonymous access applies to the main port's repository path.
    expect((await b.anonymous.get('/v2/_catalog')).status).toBe(401);
    await setAnonymous(a.http, true);
    await within(1000, 'B lets anonymous callers browse', async () => (await b.anonymous.get('/v2/_catalog')).status === 200);
    await setAnonymous(a.http, false);
    await within(1000, 'B stops them again', async () => (await b.anonymous.get('/v2/_catalog')).status === 401);
  });

  it('a repository created on A opens its connector port on B within a second; moved, it moves; deleted, it closes', async () => {
    const port = await freePort();
    await createHosted(a.http, 'ported', { httpPort: port, blobStoreName: 'shared' });
    await within(1000, `B listens on ${port}`, async () => (await b.on(port).get('/v2/').catch(() => null))?.status === 200);
    const moved = await freePort();
    expect((await updateHosted(a.http, 'ported', { httpPort: moved, blobStoreName: 'shared' })).status).toBe(204);
    await within(1000, `B listens on ${moved}`, async () => (await b.on(moved).get('/v2/').catch(() => null))?.status === 200);
    await within(1000, `B closed ${port}`, async () => (await b.on(port).get('/v2/').catch(() => null)) === null);
    expect((await deleteRepository(a.http, 'ported')).status).toBe(204);
    await within(1000, `B closed ${moved}`, async () => (await b.on(moved).get('/v2/').catch(() => null)) === null);
    expect((await b.http.get('/service/rest/v1/repositories/docker/hosted/ported')).status).toBe(404);
  });

  it('a tag pushed through A is what B serves at once, also when the tag moves (no stale tag cache)', async () => {
    await createHosted(a.http, 'moving', { blobStoreName: 'shared' });
    await within(1000, 'B knows the repository', async () => (await b.http.get('/service/rest/v1/repositories/docker/hosted/moving')).status === 200);
    const onA = new Registry(a.http, '/repository/moving');
    const onB = new Registry(b.http, '/repository/moving');
    const first = imageManifest();
    await onA.pushImage('app', 'latest', first);
    expect((await onB.getManifest('app', 'latest')).header('docker-content-digest')).toBe(first.digest);
    const second = imageManifest();
    await onA.pushImage('app', 'latest', second);
    expect((await onB.getManifest('app', 'latest')).header('docker-content-digest')).toBe(second.digest);
    const blob = await onB.getBlob('app', second.blobs[1]!.digest);
    expect(blob.body.equals(second.blobs[1]!.bytes)).toBe(true);
    // Deleted on A: B stops serving it within a second (its digest lookups are dropped on the announcement).
    expect((await a.http.delete(onA.manifestPath('app', first.digest))).status).toBe(202);
    await within(1000, 'B forgets the deleted manifest', async () => (await onB.getManifest('app', first.digest)).status === 404);
  });
});
