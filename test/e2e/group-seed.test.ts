import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedBusybox } from '../support/busybox-image';
import { Dockerd, pushedDigest } from '../support/dockerd';
import { basicAuth, send } from '../support/http';
import { MANIFEST_ACCEPT } from '@wharf/test-kit';
import { freePort } from '../support/ports';
import { PROVISIONED, provision } from '../support/provision';
import { buildUniqueRootfs } from '../support/unique-rootfs';
import { ADMIN_USER } from '../support/wharf';
import { startRemoteRegistry, type RemoteRegistry } from '../support/remote-registry';
import { wharfSuite } from '../support/wharf-suite';

// The seed scenario with a group, set up by the README's own examples/provision.sh:
//   "Docker Hub" = CNCF Distribution seeded with busybox:1.36 (docker import + push), behind a
//   counting pass-through; Wharf with docker-hub (proxy), docker-hosted (own port), docker-all
//   (group [docker-hosted, docker-hub], writable member docker-hosted) and anonymous read on.
// Docker daemons use the group as registry mirror, push to the hosted port, and pull pushed images
// through the group; at the end the upstream goes away and the group still serves what it cached.

const REPOSITORIES = '/service/rest/v1/repositories';

describe('docker through a Wharf group provisioned by examples/provision.sh', () => {
  const suite = wharfSuite('grp');
  let hub: RemoteRegistry;
  let groupPort: number;
  let hostedPort: number;
  let group: string;
  let hostedHost: string;
  let busyboxDigest: string;
  let appDigest: string;

  async function daemon(name: string, mirror: boolean): Promise<Dockerd> {
    const options = { dir: suite.dir, name, registryMirrors: mirror ? [`http://${group}`] : [], insecureRegistries: [group, hostedHost] };
    return suite.cleanup.stopping(`dockerd ${name}`, await Dockerd.start(options));
  }

  function dockerdLog(d: Dockerd): string {
    return readFileSync(d.logFile, 'utf8');
  }

  function expectNoFallback(d: Dockerd): void {
    const fallback = dockerdLog(d)
      .split('\n')
      .filter((l) => /Attempting next endpoint/i.test(l));
    expect(fallback, `dockerd fell back from the mirror:\n${fallback.join('\n')}`).toEqual([]);
  }

  /** The manifest digest Wharf serves for image:tag on a port, with the admin's credentials. */
  async function digestOn(port: number, image: string, tag: string): Promise<string | undefined> {
    const res = await send(`http://127.0.0.1:${port}/v2/${image}/manifests/${tag}`, {
      headers: { Accept: MANIFEST_ACCEPT, Authorization: basicAuth(ADMIN_USER, suite.wharf.adminPassword) },
    });
    if (res.status !== 200) return undefined;
    const h = res.headers['docker-content-digest'];
    return Array.isArray(h) ? h[0] : h;
  }

  beforeAll(async () => {
    hub = await startRemoteRegistry(suite.cleanup, suite.dir, 'hub');
    busyboxDigest = await seedBusybox(suite.dir, hub.registry.host, suite.cleanup);
    groupPort = await freePort();
    hostedPort = await freePort();
    group = `127.0.0.1:${groupPort}`;
    hostedHost = `127.0.0.1:${hostedPort}`;
  });

  it('examples/provision.sh creates the hub proxy, the hosted repository and the group, and is idempotent', async () => {
    const opts = { upstream: hub.faults.url, groupPort, hostedPort };
    const first = await provision(suite.wharf, opts);
    expect(first.stdout).toMatch(/created proxy repository docker-hub/);
    expect(first.stdout).toMatch(/created hosted repository docker-hosted/);
    expect(first.stdout).toMatch(/created group repository docker-all/);

    const proxy = await suite.wharf.rest.get(`${REPOSITORIES}/docker/proxy/${PROVISIONED.proxy}`);
    expect(proxy.status, proxy.text()).toBe(200);
    expect(proxy.json()).toMatchObject({
      proxy: { remoteUrl: hub.faults.url },
      docker: { forceBasicAuth: false },
      dockerProxy: { indexType: 'HUB' },
    });
    const hosted = await suite.wharf.rest.get(`${REPOSITORIES}/docker/hosted/${PROVISIONED.hosted}`);
    expect(hosted.json()).toMatchObject({ docker: { forceBasicAuth: true, httpPort: hostedPort } });
    const groupJson = await suite.wharf.rest.get(`${REPOSITORIES}/docker/group/${PROVISIONED.group}`);
    expect(groupJson.json()).toMatchObject({
      type: 'group',
      group: { memberNames: ['docker-hosted', 'docker-hub'], writableMember: 'docker-hosted' },
      docker: { forceBasicAuth: false, httpPort: groupPort },
    });
    expect((await suite.wharf.rest.get('/service/rest/v1/security/anonymous')).json()).toMatchObject({ enabled: true });

    const before = (await suite.wharf.rest.get(REPOSITORIES)).json<unknown[]>();
    const second = await provision(suite.wharf, opts);
    expect(second.stdout).toMatch(/updated proxy repository docker-hub/);
    expect(second.stdout).toMatch(/updated group repository docker-all/);
    expect((await suite.wharf.rest.get(REPOSITORIES)).json()).toEqual(before);
    expect((await suite.wharf.rest.get(`${REPOSITORIES}/docker/group/${PROVISIONED.group}`)).json()).toEqual(groupJson.json());
    // The connectors are open. With the token realm every /v2/ without a token is challenged (so Docker learns
    // where to get tokens); the group then hands out anonymous pull tokens, the hosted repository does not.
    expect((await send(`http://${group}/v2/`)).status).toBe(401);
    expect((await send(`http://${hostedHost}/v2/`)).status).toBe(401);
  });

  it('docker pull busybox:1.36 with the group as registry mirror: served through the group, and it runs', async () => {
    const d = await daemon('a', true);
    const pull = await d.docker(['pull', 'busybox:1.36']);
    expect(pull.code, `${pull.stdout}${pull.stderr}\n--- dockerd log ---\n${dockerdLog(d).slice(-3000)}`).toBe(0);
    expect(pull.stdout).toContain(`Digest: ${busyboxDigest}`);
    expectNoFallback(d);
    // Through Wharf's proxy member: the upstream saw the manifest and the blobs.
    expect(hub.faults.count('manifest-get', (r) => r.image === 'library/busybox')).toBeGreaterThanOrEqual(1);
    expect(hub.faults.count('blob-get', (r) => r.image === 'library/busybox')).toBeGreaterThanOrEqual(2);
    const run = await d.dockerOk(['run', '--rm', '--network', 'none', 'busybox:1.36', '/bin/busybox', 'echo', 'ok']);
    expect(run.stdout.trim()).toBe('ok');

    // docker login + push to the hosted repository's own port.
    const login = await d.login(hostedHost, ADMIN_USER, suite.wharf.adminPassword);
    expect(login.code, `${login.stdout}${login.stderr}`).toBe(0);
    const rootfs = await buildUniqueRootfs(suite.dir, 'app');
    const ref = `${hostedHost}/team/app:1`;
    await d.dockerOk(['import', rootfs, ref]);
    const push = await d.docker(['push', ref]);
    expect(push.code, `${push.stdout}${push.stderr}`).toBe(0);
    appDigest = pushedDigest(push.stdout);
    expect(appDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await digestOn(hostedPort, 'team/app', '1')).toBe(appDigest);
    await d.stop();
  });

  it('a clean daemon logged in to the group pulls the pushed image through the group, same digest, nothing from the upstream', async () => {
    expect(appDigest, 'the previous test pushed team/app:1').toMatch(/^sha256:/);
    const d = await daemon('b', false);
    const ref = `${group}/team/app:1`;
    // Without credentials the group asks for them (the image is in a member anonymous callers cannot read).
    const anonymous = await d.docker(['pull', ref]);
    expect(anonymous.code).not.toBe(0);
    expect(`${anonymous.stdout}${anonymous.stderr}`).toMatch(/unauthorized|authentication required|no basic auth credentials/i);

    const login = await d.login(group, ADMIN_USER, suite.wharf.adminPassword);
    expect(login.code, `${login.stdout}${login.stderr}`).toBe(0);
    const pull = await d.docker(['pull', ref]);
    expect(pull.code, `${pull.stdout}${pull.stderr}\n--- dockerd log ---\n${dockerdLog(d).slice(-3000)}`).toBe(0);
    expect(pull.stdout).toContain(`Digest: ${appDigest}`);
    const digests: string[] = JSON.parse((await d.dockerOk(['image', 'inspect', '--format', '{{json .RepoDigests}}', ref])).stdout);
    expect(digests).toContain(`${group}/team/app@${appDigest}`);
    expect(hub.faults.requests.filter((r) => r.image === 'team/app')).toEqual([]);
    const run = await d.dockerOk(['run', '--rm', '--network', 'none', ref, '/bin/busybox', 'cat', '/etc/wharf-nonce']);
    expect(run.stdout).toMatch(/^app [0-9a-f]{32}$/m);
    await d.stop();
  });

  it('docker push to the group\'s own port lands in the hosted repository', async () => {
    const d = await daemon('b2', false);
    const login = await d.login(group, ADMIN_USER, suite.wharf.adminPassword);
    expect(login.code, `${login.stdout}${login.stderr}`).toBe(0);
    const rootfs = await buildUniqueRootfs(suite.dir, 'other');
    const ref = `${group}/team/other:1`;
    await d.dockerOk(['import', rootfs, ref]);
    const push = await d.docker(['push', ref]);
    expect(push.code, `${push.stdout}${push.stderr}\n--- dockerd log ---\n${dockerdLog(d).slice(-3000)}`).toBe(0);
    const digest = pushedDigest(push.stdout);
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await digestOn(hostedPort, 'team/other', '1')).toBe(digest);
    expect(await digestOn(groupPort, 'team/other', '1')).toBe(digest);
    expect(hub.faults.requests.filter((r) => r.image === 'team/other' && r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
    await d.stop();
  });

  it('docker login to the group port with a wrong password is refused', async () => {
    const d = await daemon('w', false);
    const login = await d.login(group, ADMIN_USER, `${suite.wharf.adminPassword}-wrong`);
    expect(login.code, `${login.stdout}${login.stderr}`).not.toBe(0);
    await d.stop();
  });

  it('with the upstream stopped, a clean daemon still pulls busybox:1.36 through the group, and it runs', async () => {
    await hub.faults.stop();
    await hub.registry.stop();
    const d = await daemon('c', true);
    const pull = await d.docker(['pull', 'busybox:1.36']);
    expect(pull.code, `${pull.stdout}${pull.stderr}\n--- dockerd log ---\n${dockerdLog(d).slice(-3000)}`).toBe(0);
    expect(pull.stdout).toContain(`Digest: ${busyboxDigest}`);
    expectNoFallback(d);
    const run = await d.dockerOk(['run', '--rm', '--network', 'none', 'busybox:1.36', '/bin/busybox', 'echo', 'ok']);
    expect(run.stdout.trim()).toBe('ok');
    await d.stop();
  });
});
