import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageManifest, randomBlob } from '@wharf/test-kit';
import { Registry, expectRegistryError, pathOf, withQuery } from '../support/registry';
import { freePort } from '../support/ports';
import { REPOSITORIES } from '../support/rest';
import { useTestWharf } from '../support/wharf';
import { ACCEPT_ALL, type Upstream, startUpstream } from '../proxy/support/proxy-fixture';
import { type GroupFixture, createGroup, createHostedOn, createProxyRepo, getGroup, updateGroupRaw } from './support/group-fixture';

// Pushes through a group: every write goes to the group's writable member (a hosted repository),
// whichever way the group is addressed, and is then visible through the hosted repository's own port.

const wharf = useTestWharf();
let upstream: Upstream;
let hostedA: { name: string; port: number; registry: Registry };
let hostedB: { name: string; port: number; registry: Registry };
let group: GroupFixture;

const accept = { headers: { Accept: ACCEPT_ALL } };

beforeAll(async () => {
  upstream = await startUpstream('grp-write');
  hostedA = await createHostedOn(wharf, 'grp-w-hosted-a');
  hostedB = await createHostedOn(wharf, 'grp-w-hosted-b');
  await createProxyRepo(wharf, 'grp-w-proxy', { remoteUrl: upstream.faults.url });
  group = await createGroup(wharf, 'grp-w-all', {
    memberNames: ['grp-w-proxy', 'grp-w-hosted-a', 'grp-w-hosted-b'],
    writableMember: 'grp-w-hosted-a',
  });
});

afterAll(async () => {
  await upstream?.close();
});

describe('push through the group', () => {
  it('a push to the group\'s connector lands in the writable member, visible on that member\'s own port', async () => {
    const m = imageManifest({ layers: [randomBlob(100_000), randomBlob(10)] });
    const put = await group.connector.pushImage('team/pushed', '1', m);
    expect(put.header('docker-content-digest')).toBe(m.digest);

    const onHosted = await hostedA.registry.getManifest('team/pushed', '1', accept);
    expect(onHosted.status, onHosted.text()).toBe(200);
    expect(onHosted.body.equals(m.bytes)).toBe(true);
    expect(onHosted.header('docker-content-digest')).toBe(m.digest);
    for (const blob of m.blobs) {
      const res = await hostedA.registry.getBlob('team/pushed', blob.digest);
      expect(res.status, res.text()).toBe(200);
      expect(res.body.equals(blob.bytes)).toBe(true);
    }
    expect((await hostedA.registry.tags('team/pushed')).json()).toEqual({ name: 'team/pushed', tags: ['1'] });

    // Not in the other hosted member, and readable back through the group.
    expect((await hostedB.registry.getManifest('team/pushed', '1', accept)).status).toBe(404);
    const back = await group.connector.getManifest('team/pushed', '1', accept);
    expect(back.status).toBe(200);
    expect(back.body.equals(m.bytes)).toBe(true);
    // The proxy member was never written to (nor its upstream).
    expect(upstream.faults.count('other')).toBe(0);
  });

  it('a chunked upload through the group: the session, its Location and the commit all stay on the group port', async () => {
    const blob = randomBlob(300_000);
    const { location } = await group.connector.startUpload('team/chunked');
    expect(pathOf(location)).toMatch(/^\/v2\/team\/chunked\/blobs\/uploads\/[^/]+$/);
    let next = location;
    for (const [start, end] of [
      [0, 99_999],
      [100_000, 299_999],
    ] as const) {
      const res = await group.connector.http.patch(next, {
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${start}-${end}` },
        body: blob.bytes.subarray(start, end + 1),
      });
      expect(res.status, res.text()).toBe(202);
      expect(res.header('range')).toBe(`0-${end}`);
      next = res.header('location')!;
    }
    const status = await group.connector.http.get(next);
    expect(status.status, status.text()).toBe(204);
    const done = await group.connector.http.put(withQuery(next, { digest: blob.digest }));
    expect(done.status, done.text()).toBe(201);
    expect(done.header('docker-content-digest')).toBe(blob.digest);

    const onHosted = await hostedA.registry.getBlob('team/chunked', blob.digest);
    expect(onHosted.status).toBe(200);
    expect(onHosted.body.equals(blob.bytes)).toBe(true);
  });

  it('a push by path on the main port (/v2/<group>/... and /repository/<group>/v2/...) lands in the writable member too', async () => {
    const viaPath = imageManifest();
    await new Registry(wharf.http).pushImage('grp-w-all/team/by-path', 'p', viaPath);
    const viaPrefix = imageManifest();
    await group.prefixed.pushImage('team/by-prefix', 'q', viaPrefix);
    expect((await hostedA.registry.getManifest('team/by-path', 'p', accept)).header('docker-content-digest')).toBe(viaPath.digest);
    expect((await hostedA.registry.getManifest('team/by-prefix', 'q', accept)).header('docker-content-digest')).toBe(viaPrefix.digest);
  });

  it('a manifest pushed through the group may reference blobs the writable member already has', async () => {
    const first = imageManifest();
    await hostedA.registry.pushImage('team/reuse', '1', first);
    const second = imageManifest({ config: first.blobs[0], layers: first.blobs.slice(1) });
    const res = await group.connector.putManifest('team/reuse', '2', second);
    expect(res.status, res.text()).toBe(201);
    expect((await hostedA.registry.getManifest('team/reuse', '2', accept)).status).toBe(200);
  });

  it('deleting through the group deletes in the writable member', async () => {
    const m = imageManifest();
    await group.connector.pushImage('team/doomed', '1', m);
    const del = await group.connector.http.delete(group.connector.manifestPath('team/doomed', m.digest));
    expect(del.status, del.text()).toBe(202);
    expect((await hostedA.registry.getManifest('team/doomed', m.digest, accept)).status).toBe(404);
  });

  it('after PUT with another writable member, pushes go there', async () => {
    const res = await updateGroupRaw(wharf.http, 'grp-w-all', {
      ...group.body,
      group: { memberNames: ['grp-w-proxy', 'grp-w-hosted-a', 'grp-w-hosted-b'], writableMember: 'grp-w-hosted-b' },
    });
    expect(res.status, res.text()).toBe(204);
    expect((await getGroup(wharf.http, 'grp-w-all')).json<{ group: unknown }>().group).toEqual({
      memberNames: ['grp-w-proxy', 'grp-w-hosted-a', 'grp-w-hosted-b'],
      writableMember: 'grp-w-hosted-b',
    });
    const m = imageManifest();
    await group.connector.pushImage('team/moved', '1', m);
    expect((await hostedB.registry.getManifest('team/moved', '1', accept)).header('docker-content-digest')).toBe(m.digest);
    expect((await hostedA.registry.getManifest('team/moved', '1', accept)).status).toBe(404);
  });
});

describe('a group without a writable member', () => {
  it('refuses pushes with DENIED and stores nothing', async () => {
    const readOnly = await createGroup(wharf, 'grp-w-readonly', { memberNames: ['grp-w-hosted-a'] });
    const got = await wharf.http.get(`${REPOSITORIES}/docker/group/grp-w-readonly`);
    expect(got.json<{ group: { writableMember: unknown } }>().group.writableMember).toBeNull();

    const blob = randomBlob(64);
    const start = await readOnly.connector.http.post(readOnly.connector.uploadsPath('team/nope'));
    expectRegistryError(start, 403, 'DENIED');
    const monolithic = await readOnly.connector.http.post(readOnly.connector.uploadsPath('team/nope', `?digest=${blob.digest}`), {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: blob.bytes,
    });
    expectRegistryError(monolithic, 403, 'DENIED');
    const m = imageManifest();
    expectRegistryError(await readOnly.connector.putManifest('team/nope', '1', m), 403, 'DENIED');
    expect((await hostedA.registry.getBlob('team/nope', blob.digest)).status).toBe(404);
    expect((await hostedA.registry.tags('team/nope')).status).toBe(404);
  });
});

describe('a push through the group while a proxy member\'s upstream is down', () => {
  it('checks blobs (HEAD, as docker does before uploading) without failing on the proxy, and lands in the writable member', async () => {
    // A proxy member in front of the writable member, its upstream a closed port.
    const closed = `http://127.0.0.1:${await freePort()}`;
    await createProxyRepo(wharf, 'grp-w-dead-proxy', { remoteUrl: closed });
    const pushGroup = await createGroup(wharf, 'grp-w-outage', {
      memberNames: ['grp-w-dead-proxy', 'grp-w-hosted-a'],
      writableMember: 'grp-w-hosted-a',
    });
    const m = imageManifest();
    for (const blob of m.blobs) {
      const head = await pushGroup.connector.headBlob('team/during-outage', blob.digest);
      expect(head.status, `HEAD blob before upload: ${head.status}`).toBe(404);
    }
    await pushGroup.connector.pushImage('team/during-outage', '1', m);
    expect((await hostedA.registry.getManifest('team/during-outage', '1', accept)).header('docker-content-digest')).toBe(m.digest);
  });
});

describe('push through the group of an image built on a base pulled through it', () => {
  it('succeeds although the base layer is only in the proxy member cache (it is linked into the writable member)', async () => {
    const baseLayer = randomBlob(50_000);
    const base = imageManifest({ layers: [baseLayer] });
    await upstream.direct.pushImage('library/base', '1', base);
    // Pull the base through the group: its layer is now in the proxy member's cache.
    expect((await group.connector.getManifest('library/base', '1', accept)).status).toBe(200);
    expect((await group.connector.getBlob('library/base', baseLayer.digest)).status).toBe(200);

    const derived = imageManifest({ layers: [baseLayer, randomBlob(1_000)] });
    // What Docker does: HEAD each blob, upload only those that are missing, then PUT the manifest.
    const skipped: string[] = [];
    for (const blob of derived.blobs) {
      const head = await group.connector.headBlob('team/derived', blob.digest);
      if (head.status === 200) skipped.push(blob.digest);
      else await group.connector.pushBlob('team/derived', blob);
    }
    expect(skipped).toEqual([baseLayer.digest]);
    const put = await group.connector.putManifest('team/derived', '1', derived);
    expect(put.status, put.text()).toBe(201);
    expect((await group.connector.getManifest('team/derived', '1', accept)).status).toBe(200);
  });
});
