import { beforeAll, describe, expect, it } from 'vitest';
import { imageManifest } from '@wharf/test-kit';
import { canBind, freePort } from '../support/ports';
import { REPOSITORIES, deleteRepository, fieldIds } from '../support/rest';
import { useTestWharf } from '../support/wharf';
import { ACCEPT_ALL } from '../proxy/support/proxy-fixture';
import { createGroup, createGroupRaw, createHostedOn, createProxyRepo, getGroup, groupBody, updateGroupRaw } from './support/group-fixture';

// The REST API of group repositories: the contract's JSON, and the checks that keep groups sound
// (members exist, no group contains itself, no cycles, the writable member is a hosted member,
// a member in use cannot be deleted), each refused with 400 and nothing changed.

const wharf = useTestWharf();

beforeAll(async () => {
  await createHostedOn(wharf, 'gv-hosted');
  await createHostedOn(wharf, 'gv-hosted-2');
  // Never contacted in these tests: nothing is pulled through it.
  await createProxyRepo(wharf, 'gv-proxy', { remoteUrl: 'http://127.0.0.1:9/' });
});

interface GroupView {
  name: string;
  online: boolean;
  format: string;
  type: string;
  url: string;
  storage: { blobStoreName: string; strictContentTypeValidation: boolean };
  group: { memberNames: string[]; writableMember: string | null };
  docker: { v1Enabled: boolean; forceBasicAuth: boolean; httpPort: number | null };
}

function expect400(res: { status: number; text(): string }, pattern: RegExp): void {
  expect(res.status, res.text()).toBe(400);
  expect(res.text()).toMatch(pattern);
}

describe('create, read, update', () => {
  it('POST -> 201; GET returns the contract shape plus format, type and url', async () => {
    const port = await freePort();
    const res = await createGroupRaw(
      wharf.http,
      groupBody('gv-all', { memberNames: ['gv-hosted', 'gv-proxy'], writableMember: 'gv-hosted', httpPort: port, forceBasicAuth: false }),
    );
    expect(res.status, res.text()).toBe(201);
    const got = await getGroup(wharf.http, 'gv-all');
    expect(got.status, got.text()).toBe(200);
    const view = got.json<GroupView>();
    expect(view).toMatchObject({
      name: 'gv-all',
      online: true,
      format: 'docker',
      type: 'group',
      storage: { blobStoreName: 'default', strictContentTypeValidation: true },
      group: { memberNames: ['gv-hosted', 'gv-proxy'], writableMember: 'gv-hosted' },
      docker: { v1Enabled: false, forceBasicAuth: false, httpPort: port },
    });
    expect(view.url).toMatch(/\/repository\/gv-all$/);
    const list = await wharf.http.get(REPOSITORIES);
    expect(list.json<{ name: string; type: string; format: string }[]>().find((r) => r.name === 'gv-all')).toMatchObject({
      type: 'group',
      format: 'docker',
    });
    // The connector answers at once.
    expect((await wharf.on(port).get('/v2/')).status).toBe(200);
  });

  it('GET of a group under another type\'s path is 404, and so is an unknown group', async () => {
    await createGroup(wharf, 'gv-typed', { memberNames: ['gv-hosted'] });
    expect((await wharf.http.get(`${REPOSITORIES}/docker/hosted/gv-typed`)).status).toBe(404);
    expect((await wharf.http.get(`${REPOSITORIES}/docker/proxy/gv-typed`)).status).toBe(404);
    expect((await getGroup(wharf.http, 'gv-hosted')).status).toBe(404);
    expect((await getGroup(wharf.http, 'gv-missing')).status).toBe(404);
  });

  it('PUT -> 204 changes the member order and it takes effect for reads at once', async () => {
    const one = imageManifest();
    const two = imageManifest();
    const h1 = await createHostedOn(wharf, 'gv-order-1');
    const h2 = await createHostedOn(wharf, 'gv-order-2');
    await h1.registry.pushImage('app', 'v', one);
    await h2.registry.pushImage('app', 'v', two);
    const group = await createGroup(wharf, 'gv-order', { memberNames: ['gv-order-1', 'gv-order-2'] });
    const accept = { headers: { Accept: ACCEPT_ALL } };
    expect((await group.connector.getManifest('app', 'v', accept)).header('docker-content-digest')).toBe(one.digest);

    const res = await updateGroupRaw(wharf.http, 'gv-order', { ...group.body, group: { memberNames: ['gv-order-2', 'gv-order-1'], writableMember: null } });
    expect(res.status, res.text()).toBe(204);
    expect((await getGroup(wharf.http, 'gv-order')).json<GroupView>().group.memberNames).toEqual(['gv-order-2', 'gv-order-1']);
    expect((await group.connector.getManifest('app', 'v', accept)).header('docker-content-digest')).toBe(two.digest);
  });

  it('an empty member list, or no group object, is a validation error naming the field', async () => {
    const empty = await createGroupRaw(wharf.http, groupBody('gv-empty', { memberNames: [], httpPort: null }));
    expect(empty.status, empty.text()).toBe(400);
    expect(fieldIds(empty).some((id) => id.includes('memberNames'))).toBe(true);
    const body = groupBody('gv-nogroup', { memberNames: ['gv-hosted'], httpPort: null });
    delete body.group;
    const missing = await createGroupRaw(wharf.http, body);
    expect(missing.status, missing.text()).toBe(400);
    expect(fieldIds(missing).some((id) => id.includes('group'))).toBe(true);
    expect((await getGroup(wharf.http, 'gv-empty')).status).toBe(404);
  });
});

describe('members must make sense: 400 and nothing created or changed', () => {
  it('an unknown member', async () => {
    const port = await freePort();
    const res = await createGroupRaw(wharf.http, groupBody('gv-unknown', { memberNames: ['gv-hosted', 'gv-nope'], httpPort: port }));
    expect400(res, /gv-nope/);
    expect((await getGroup(wharf.http, 'gv-unknown')).status).toBe(404);
    // Nothing half-created: the connector port was released.
    expect(await canBind(port)).toBe(true);
  });

  it('a group that lists itself', async () => {
    await createGroup(wharf, 'gv-self', { memberNames: ['gv-hosted'] });
    const res = await updateGroupRaw(wharf.http, 'gv-self', groupBody('gv-self', { memberNames: ['gv-hosted', 'gv-self'], httpPort: null }));
    expect400(res, /gv-self/);
    expect((await getGroup(wharf.http, 'gv-self')).json<GroupView>().group.memberNames).toEqual(['gv-hosted']);
    const created = await createGroupRaw(wharf.http, groupBody('gv-self-new', { memberNames: ['gv-self-new'], httpPort: null }));
    expect(created.status, created.text()).toBe(400);
  });

  it('a cycle: A in B, then B in A', async () => {
    await createGroup(wharf, 'gv-cycle-a', { memberNames: ['gv-hosted'], httpPort: null });
    await createGroup(wharf, 'gv-cycle-b', { memberNames: ['gv-cycle-a'], httpPort: null });
    const res = await updateGroupRaw(wharf.http, 'gv-cycle-a', groupBody('gv-cycle-a', { memberNames: ['gv-hosted', 'gv-cycle-b'], httpPort: null }));
    expect400(res, /cycle/i);
    expect((await getGroup(wharf.http, 'gv-cycle-a')).json<GroupView>().group.memberNames).toEqual(['gv-hosted']);
  });

  it('a longer cycle: A in B, B in C, then C in A', async () => {
    await createGroup(wharf, 'gv-ring-a', { memberNames: ['gv-hosted'], httpPort: null });
    await createGroup(wharf, 'gv-ring-b', { memberNames: ['gv-ring-a'], httpPort: null });
    await createGroup(wharf, 'gv-ring-c', { memberNames: ['gv-ring-b'], httpPort: null });
    const res = await updateGroupRaw(wharf.http, 'gv-ring-a', groupBody('gv-ring-a', { memberNames: ['gv-ring-c'], httpPort: null }));
    expect400(res, /cycle/i);
    // Diamonds are not cycles: D contains A and B, and B contains A.
    await createGroup(wharf, 'gv-diamond', { memberNames: ['gv-ring-a', 'gv-ring-b'], httpPort: null });
  });

  it('a writable member that is a proxy', async () => {
    const res = await createGroupRaw(
      wharf.http,
      groupBody('gv-w-proxy', { memberNames: ['gv-hosted', 'gv-proxy'], writableMember: 'gv-proxy', httpPort: null }),
    );
    expect400(res, /writableMember/);
    expect((await getGroup(wharf.http, 'gv-w-proxy')).status).toBe(404);
  });

  it('a writable member that is a group', async () => {
    await createGroup(wharf, 'gv-inner', { memberNames: ['gv-hosted'], writableMember: 'gv-hosted', httpPort: null });
    const res = await createGroupRaw(
      wharf.http,
      groupBody('gv-w-group', { memberNames: ['gv-inner'], writableMember: 'gv-inner', httpPort: null }),
    );
    expect400(res, /writableMember/);
  });

  it('a writable member that is hosted but not a member', async () => {
    const res = await createGroupRaw(
      wharf.http,
      groupBody('gv-w-outside', { memberNames: ['gv-hosted'], writableMember: 'gv-hosted-2', httpPort: null }),
    );
    expect400(res, /writableMember/);
  });

  it('PUT that would make the writable member invalid leaves the group as it was', async () => {
    await createGroup(wharf, 'gv-w-keep', { memberNames: ['gv-hosted', 'gv-proxy'], writableMember: 'gv-hosted', httpPort: null });
    const res = await updateGroupRaw(
      wharf.http,
      'gv-w-keep',
      groupBody('gv-w-keep', { memberNames: ['gv-hosted', 'gv-proxy'], writableMember: 'gv-proxy', httpPort: null }),
    );
    expect400(res, /writableMember/);
    expect((await getGroup(wharf.http, 'gv-w-keep')).json<GroupView>().group).toEqual({
      memberNames: ['gv-hosted', 'gv-proxy'],
      writableMember: 'gv-hosted',
    });
  });
});

describe('deleting a member that a group uses', () => {
  it('is refused with 400 naming the group, and the group and its content stay intact', async () => {
    const member = await createHostedOn(wharf, 'gv-in-use');
    const m = imageManifest();
    await member.registry.pushImage('app', '1', m);
    const group = await createGroup(wharf, 'gv-user', { memberNames: ['gv-in-use'], writableMember: 'gv-in-use' });

    const res = await deleteRepository(wharf.http, 'gv-in-use');
    expect400(res, /gv-user/);

    expect((await wharf.http.get(`${REPOSITORIES}/docker/hosted/gv-in-use`)).status).toBe(200);
    expect((await getGroup(wharf.http, 'gv-user')).json<GroupView>().group).toEqual({ memberNames: ['gv-in-use'], writableMember: 'gv-in-use' });
    const pulled = await group.connector.getManifest('app', '1', { headers: { Accept: ACCEPT_ALL } });
    expect(pulled.status).toBe(200);
    expect(pulled.header('docker-content-digest')).toBe(m.digest);
    // The member's own connector is still open.
    expect((await member.registry.getManifest('app', '1', { headers: { Accept: ACCEPT_ALL } })).status).toBe(200);
  });

  it('succeeds once the group no longer lists it; deleting the group itself is allowed', async () => {
    await createHostedOn(wharf, 'gv-leaving');
    const group = await createGroup(wharf, 'gv-leaver', { memberNames: ['gv-leaving', 'gv-hosted'] });
    expect((await deleteRepository(wharf.http, 'gv-leaving')).status).toBe(400);
    const put = await updateGroupRaw(wharf.http, 'gv-leaver', { ...group.body, group: { memberNames: ['gv-hosted'], writableMember: null } });
    expect(put.status, put.text()).toBe(204);
    expect((await deleteRepository(wharf.http, 'gv-leaving')).status).toBe(204);
    expect((await deleteRepository(wharf.http, 'gv-leaver')).status).toBe(204);
    expect((await getGroup(wharf.http, 'gv-leaver')).status).toBe(404);
    // Its connector is closed.
    expect(await canBind(group.httpPort!)).toBe(true);
  });
});
