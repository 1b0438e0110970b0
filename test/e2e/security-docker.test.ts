import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxRootfs } from '../support/busybox-image';
import { Cleanup } from '../support/cleanup';
import { podman as runPodman } from '../support/podman';
import { Dockerd, pushedDigest } from '../support/dockerd';
import { buildDiskImage, type DiskImage, writeOciLayout } from '@wharf/test-kit';
import { runCommand, type RunResult } from '../support/process';
import { ADMIN_USER, Wharf } from '../support/wharf';

// Real clients against Wharf with its defaults: the Docker token realm on, so every registry client
// goes through 401 Bearer challenge -> GET /v2/token -> bearer token. A protected hosted repository
// wants docker login; a repository with forceBasicAuth false serves anonymous pulls (anonymous access on)
// with no login at all. skopeo and podman log in and copy in the same mode.

describe('docker, skopeo and podman with the Docker token realm', () => {
  const cleanup = new Cleanup();
  let tmp: string;
  let wharf: Wharf;
  let hosted: string; // 127.0.0.1:<port> of the protected repository
  let open: string; // 127.0.0.1:<port> of the forceBasicAuth:false repository
  let daemonA: Dockerd;
  let daemonB: Dockerd;
  let image: DiskImage;
  let env: NodeJS.ProcessEnv;

  const createHosted = async (name: string, forceBasicAuth: boolean) => `127.0.0.1:${await wharf.createHostedRepo(name, { forceBasicAuth })}`;

  function skopeo(args: string[], input?: string): Promise<RunResult> {
    return runCommand('skopeo', args, { env, timeoutMs: 300_000, ...(input !== undefined ? { input } : {}) });
  }

  const podman = (args: string[], input?: string) => runPodman(args, { root: join(tmp, 'podman'), env, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    tmp = cleanup.tempDir('sec');
    wharf = cleanup.stopping('wharf', await Wharf.start({ dir: tmp }));
    hosted = await createHosted('sec-hosted', true);
    open = await createHosted('sec-open', false);
    await wharf.allowAnonymous();
    daemonA = cleanup.stopping('dockerd A', await Dockerd.start({ dir: tmp, name: 'sa', insecureRegistries: [hosted, open] }));
    daemonB = cleanup.stopping('dockerd B', await Dockerd.start({ dir: tmp, name: 'sb', insecureRegistries: [hosted, open] }));
    const rootfs = await buildBusyboxRootfs(tmp);
    await daemonA.dockerOk(['import', rootfs, `${hosted}/team/app:1`]);
    await daemonA.dockerOk(['tag', `${hosted}/team/app:1`, `${open}/library/tool:1`]);

    image = await buildDiskImage(join(tmp, 'image'), { layers: [1 << 20, 4096], format: 'oci', gzip: true });
    writeOciLayout(join(tmp, 'layout'), image, 'v1');
    const authFile = join(tmp, 'containers-auth.json');
    writeFileSync(authFile, '{"auths":{}}');
    const storageConf = join(tmp, 'storage.conf');
    mkdirSync(join(tmp, 'podman'), { recursive: true });
    writeFileSync(storageConf, `[storage]\ndriver = "vfs"\nrunroot = "${join(tmp, 'podman', 'run')}"\ngraphroot = "${join(tmp, 'podman', 'storage')}"\n`);
    const registriesConf = join(tmp, 'registries.conf');
    writeFileSync(registriesConf, 'unqualified-search-registries = []\n');
    env = { ...process.env, REGISTRY_AUTH_FILE: authFile, CONTAINERS_STORAGE_CONF: storageConf, CONTAINERS_REGISTRIES_CONF: registriesConf };
  });
  afterAll(() => cleanup.run());

  it('the registry challenges with Bearer (the token realm is on by default)', async () => {
    const res = await fetch(`http://${hosted}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="http://${hosted}/v2/token",service="wharf-registry"`);
  });

  it('docker push without login to a protected repository fails with an authentication error', async () => {
    const push = await daemonA.docker(['push', `${hosted}/team/app:1`]);
    expect(push.code).not.toBe(0);
    expect(`${push.stdout}\n${push.stderr}`).toMatch(/unauthorized|authentication required|denied/i);
    expect((await fetch(`http://${hosted}/v2/team/app/tags/list`, { headers: { Authorization: `Basic ${Buffer.from(`${ADMIN_USER}:${wharf.adminPassword}`).toString('base64')}` } })).status).toBe(404);
  });

  it('docker login with a wrong password fails', async () => {
    const login = await daemonA.login(hosted, ADMIN_USER, `${wharf.adminPassword}-wrong`);
    expect(login.code).not.toBe(0);
    expect(login.stderr).toMatch(/unauthorized|401|incorrect username or password/i);
  });

  it('after docker login, docker push succeeds and a clean logged-in daemon pulls the same digest', async () => {
    const login = await daemonA.login(hosted, ADMIN_USER, wharf.adminPassword);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/Login Succeeded/);
    const push = await daemonA.dockerOk(['push', `${hosted}/team/app:1`]);
    const digest = pushedDigest(push.stdout);
    expect(digest, push.stdout).toMatch(/^sha256:/);
    // Without login the clean daemon is refused; with it, it pulls.
    const refused = await daemonB.docker(['pull', `${hosted}/team/app:1`]);
    expect(refused.code).not.toBe(0);
    expect(`${refused.stdout}\n${refused.stderr}`).toMatch(/unauthorized|authentication required|denied|docker login/i);
    expect((await daemonB.login(hosted, ADMIN_USER, wharf.adminPassword)).code).toBe(0);
    const pull = await daemonB.dockerOk(['pull', `${hosted}/team/app:1`]);
    expect(pull.stdout).toContain(`Digest: ${digest}`);
  });

  it('an anonymous docker pull from a forceBasicAuth:false repository works with no login at all', async () => {
    expect((await daemonA.login(open, ADMIN_USER, wharf.adminPassword)).code).toBe(0);
    const push = await daemonA.dockerOk(['push', `${open}/library/tool:1`]);
    const digest = pushedDigest(push.stdout);
    const daemonC = cleanup.stopping('dockerd C', await Dockerd.start({ dir: tmp, name: 'sc', insecureRegistries: [open] }));
    const configFile = join(daemonC.clientConfigDir, 'config.json');
    expect(existsSync(configFile) ? readFileSync(configFile, 'utf8') : '').not.toContain(open);
    const pull = await daemonC.docker(['pull', `${open}/library/tool:1`]);
    expect(pull.code, `${pull.stdout}${pull.stderr}`).toBe(0);
    expect(pull.stdout).toContain(`Digest: ${digest}`);
    const run = await daemonC.dockerOk(['run', '--rm', '--network', 'none', `${open}/library/tool:1`, '/bin/busybox', 'echo', 'ok']);
    expect(run.stdout.trim()).toBe('ok');
    // ... but not a push.
    await daemonC.dockerOk(['tag', `${open}/library/tool:1`, `${open}/library/tool:anon`]);
    const anonPush = await daemonC.docker(['push', `${open}/library/tool:anon`]);
    expect(anonPush.code).not.toBe(0);
    await daemonC.stop();
  });

  it('skopeo login and copy (push and pull) in token mode', async () => {
    const login = await skopeo(['login', '--tls-verify=false', '-u', ADMIN_USER, '--password-stdin', hosted], wharf.adminPassword);
    expect(login.code, `${login.stdout}${login.stderr}`).toBe(0);
    const push = await skopeo(['--insecure-policy', 'copy', '--dest-tls-verify=false', '--preserve-digests', `oci:${join(tmp, 'layout')}:v1`, `docker://${hosted}/skopeo/img:1`]);
    expect(push.code, `${push.stdout}${push.stderr}`).toBe(0);
    const inspect = await skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${hosted}/skopeo/img:1`]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(Buffer.from(inspect.stdout).equals(image.manifest.bytes) || inspect.stdout === image.manifest.bytes.toString()).toBe(true);
    await skopeo(['logout', hosted]);
    const anonymous = await skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${hosted}/skopeo/img:1`]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/unauthorized|authentication required|denied/i);
  });

  it('podman login and pull in token mode', async () => {
    const login = await podman(['login', '--tls-verify=false', '-u', ADMIN_USER, '--password-stdin', hosted], wharf.adminPassword);
    expect(login.code, `${login.stdout}${login.stderr}`).toBe(0);
    const pull = await podman(['pull', '--tls-verify=false', `${hosted}/skopeo/img:1`]);
    expect(pull.code, `${pull.stdout}${pull.stderr}`).toBe(0);
    const digest = await podman(['image', 'inspect', '--format', '{{.Digest}}', `${hosted}/skopeo/img:1`]);
    expect(digest.stdout.trim()).toBe(image.manifest.digest);
    const pushBack = await podman(['push', '--tls-verify=false', `${hosted}/skopeo/img:1`, `docker://${hosted}/podman/img:1`]);
    expect(pushBack.code, `${pushBack.stdout}${pushBack.stderr}`).toBe(0);
  });

  it('with the token realm off (Basic challenges), docker login/push/pull, skopeo and podman still work', async () => {
    const realms = await wharf.rest.put('/service/rest/v1/security/realms/active', ['NexusAuthenticatingRealm']);
    expect(realms.status, realms.text()).toBe(204);
    try {
      const res = await fetch(`http://${hosted}/v2/`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="Wharf"');
      await daemonA.docker(['logout', hosted]);
      const wrong = await daemonA.login(hosted, ADMIN_USER, `${wharf.adminPassword}-wrong`);
      expect(wrong.code).not.toBe(0);
      const login = await daemonA.login(hosted, ADMIN_USER, wharf.adminPassword);
      expect(login.code, login.stderr).toBe(0);
      await daemonA.dockerOk(['tag', `${hosted}/team/app:1`, `${hosted}/team/app:basic`]);
      const push = await daemonA.dockerOk(['push', `${hosted}/team/app:basic`]);
      const digest = pushedDigest(push.stdout);
      const pull = await daemonB.dockerOk(['pull', `${hosted}/team/app:basic`]);
      expect(pull.stdout).toContain(`Digest: ${digest}`);
      const copy = await skopeo([
        '--insecure-policy', 'copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--preserve-digests',
        '--src-creds', `${ADMIN_USER}:${wharf.adminPassword}`, '--dest-creds', `${ADMIN_USER}:${wharf.adminPassword}`,
        `docker://${hosted}/skopeo/img:1`, `docker://${hosted}/skopeo/basic:1`,
      ]);
      expect(copy.code, `${copy.stdout}${copy.stderr}`).toBe(0);
      const login2 = await podman(['login', '--tls-verify=false', '-u', ADMIN_USER, '--password-stdin', hosted], wharf.adminPassword);
      expect(login2.code, `${login2.stdout}${login2.stderr}`).toBe(0);
      const podPull = await podman(['pull', '--tls-verify=false', `${hosted}/skopeo/basic:1`]);
      expect(podPull.code, `${podPull.stdout}${podPull.stderr}`).toBe(0);
    } finally {
      await wharf.rest.put('/service/rest/v1/security/realms/active', ['NexusAuthenticatingRealm', 'DockerToken']);
    }
  });

  it('the server log holds no password', () => {
    const log = readFileSync(wharf.logFile, 'utf8');
    expect(log.includes(wharf.adminPassword)).toBe(false);
  });
});
