import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentId } from '@wharf/api-types';
import { imageManifest, randomBlob } from '@wharf/test-kit';
import { HttpClient } from '../support/http';
import { freePort } from '../support/ports';
import { Registry } from '../support/registry';
import { createHosted, deleteRepository, getHosted, hostedBody, updateHosted } from '../support/rest';
import { runTask, setGrace } from '../support/tasks';
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

// Content removed through one replica (lifecycle tasks, REST deletions) must not be served by the other from
// what it remembers (digest lookups, blob links): each removal is announced once it is committed.
describe('content removed on A is not served by B', () => {
  const POLICIES = '/service/rest/v1/cleanup-policies';
  const shared = imageManifest({ layers: [randomBlob(20_000), randomBlob(10_000)] });
  const kept = imageManifest();
  const layer = shared.blobs.at(-1)!;
  let onA: Registry;
  let onB: Registry;

  beforeAll(async () => {
    for (const name of ['cleaned', 'sharing']) await createHosted(a.http, name, { blobStoreName: 'shared' });
    await within(1000, 'B knows the repositories', async () => (await b.http.get('/service/rest/v1/repositories/docker/hosted/sharing')).status === 200);
    onA = new Registry(a.http, '/repository/cleaned');
    onB = new Registry(b.http, '/repository/cleaned');
    await onA.pushImage('app', 'v1', kept);
    await onA.pushImage('app', 'pr-1', shared);
    // Another repository holds the same image: its blobs stay in the store when 'cleaned' lets them go.
    await new Registry(a.http, '/repository/sharing').pushImage('app', 'v1', shared);
  });

  it('a cleanup run on A: B stops serving the removed manifest within a second', async () => {
    const policy = { name: 'replica-prs', notes: '', format: 'docker', criteriaLastBlobUpdated: null, criteriaLastDownloaded: null, criteriaAssetRegex: 'app:pr-.*', retain: null, criteriaUntagged: false };
    expect((await a.http.sendJson('POST', POLICIES, policy)).status).toBe(201);
    const body = { ...hostedBody('cleaned', { blobStoreName: 'shared' }), cleanup: { policyNames: ['replica-prs'] } };
    expect((await a.http.sendJson('PUT', '/service/rest/v1/repositories/docker/hosted/cleaned', body)).status).toBe(204);
    // B has followed the change (a new instance) before it reads: what it remembers now is what the cleanup must reach.
    await within(1000, 'B has the policy', async () => JSON.stringify((await getHosted(b.http, 'cleaned')).json()).includes('replica-prs'));
    for (const side of [onA, onB]) {
      expect((await side.getManifest('app', shared.digest)).status).toBe(200);
      expect((await side.getBlob('app', layer.digest)).status).toBe(200);
    }
    const task = await runTask(a.http, 'cleanup');
    expect(task.lastRunSummary).toMatchObject({ tagsDeleted: 1, manifestsDeleted: 1 });
    expect((await onA.getManifest('app', shared.digest)).status).toBe(404);
    await within(1000, 'B forgets the cleaned manifest', async () => (await onB.getManifest('app', shared.digest)).status === 404);
    expect((await onB.getManifest('app', 'pr-1')).status).toBe(404);
    expect((await onB.getManifest('app', 'v1')).header('docker-content-digest')).toBe(kept.digest);
    // Its blobs stay linked until a collection past the grace period: both read (and remember) the link again.
    for (const side of [onA, onB]) expect((await side.getBlob('app', layer.digest)).status).toBe(200);
  });

  it("a collection on A drops the repository's unused blob links: neither replica serves the blob from it any more", async () => {
    await setGrace(a.http, 'cleanup', 0);
    const task = await runTask(a.http, 'cleanup');
    expect(task.lastRunResult, JSON.stringify(task)).toBe('OK');
    expect((await onA.getBlob('app', layer.digest)).status).toBe(404);
    await within(1000, 'B forgets the dropped link', async () => (await onB.getBlob('app', layer.digest)).status === 404);
    // The blob itself is still in the store, served where it is still linked.
    const elsewhere = await new Registry(b.http, '/repository/sharing').getBlob('app', layer.digest);
    expect(elsewhere.body.equals(layer.bytes)).toBe(true);
  });

  it('a tag deleted through the REST API on A (with the manifest only it kept) while B serves it: B answers 404 within a second', async () => {
    const image = imageManifest();
    await onA.pushImage('gone', 'v1', image);
    expect((await onB.getManifest('gone', image.digest)).status).toBe(200);
    // B keeps reading it by digest while A deletes, so that a read between the tag's and the manifest's
    // removal may remember the manifest again.
    let reading = true;
    const reads = (async () => {
      while (reading) await onB.getManifest('gone', image.digest);
    })();
    const deleted = await a.http.delete(`/service/rest/v1/components/${componentId('cleaned', 'gone', 'v1')}`);
    reading = false;
    await reads;
    expect(deleted.status, deleted.text()).toBe(204);
    expect((await onA.getManifest('gone', image.digest)).status).toBe(404);
    await within(1000, 'B forgets the deleted component', async () => (await onB.getManifest('gone', image.digest)).status === 404);
  });

  it('a repository deleted on A: B serves nothing of it within a second', async () => {
    const onSharing = new Registry(b.http, '/repository/sharing');
    expect((await onSharing.getManifest('app', shared.digest)).status).toBe(200);
    expect((await deleteRepository(a.http, 'sharing')).status).toBe(204);
    await within(1000, 'B forgets the repository', async () => (await onSharing.getManifest('app', shared.digest)).status === 404);
    expect((await onSharing.getBlob('app', layer.digest)).status).toBe(404);
  });
});
