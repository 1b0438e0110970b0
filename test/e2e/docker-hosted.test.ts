import { beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxRootfs } from '../support/busybox-image';
import { wharfSuite } from '../support/wharf-suite';
import { Dockerd, pushedDigest } from '../support/dockerd';
import { ADMIN_USER } from '../support/wharf';

// A real Docker daemon pushes to a hosted repository's connector port; a second, clean daemon
// pulls the image back and runs it.
describe('docker push/pull through a hosted repository connector', () => {
  const suite = wharfSuite('docker-hosted');
  let registry: string; // 127.0.0.1:<connector port>
  let image: string;
  let daemonA: Dockerd;
  let daemonB: Dockerd;
  let rootfs: string;

  beforeAll(async () => {
    registry = `127.0.0.1:${await suite.wharf.createHostedRepo('docker-hosted')}`;
    image = `${registry}/team/app:1`;
    daemonA = suite.cleanup.stopping('dockerd A', await Dockerd.start({ dir: suite.dir, name: 'da', insecureRegistries: [registry] }));
    daemonB = suite.cleanup.stopping('dockerd B', await Dockerd.start({ dir: suite.dir, name: 'db', insecureRegistries: [registry] }));
    rootfs = await buildBusyboxRootfs(suite.dir);
    await daemonA.dockerOk(['import', rootfs, image]);
  });

  it('refuses docker push without login with an authentication error', async () => {
    const push = await daemonA.docker(['push', image]);
    expect(push.code).not.toBe(0);
    expect(`${push.stdout}\n${push.stderr}`).toMatch(/unauthorized|authentication required|no basic auth credentials/i);
  });

  it('rejects docker login with a wrong password', async () => {
    const login = await daemonA.login(registry, ADMIN_USER, `${suite.wharf.adminPassword}-wrong`);
    expect(login.code).not.toBe(0);
    expect(login.stderr).toMatch(/unauthorized|401|incorrect username or password/i);
  });

  it('pushes from one daemon and pulls the same digest into a clean one, which runs it', async () => {
    const loginA = await daemonA.login(registry, ADMIN_USER, suite.wharf.adminPassword);
    expect(loginA.code, loginA.stderr).toBe(0);
    expect(loginA.stdout).toMatch(/Login Succeeded/);

    const push = await daemonA.dockerOk(['push', image]);
    const pushed = pushedDigest(push.stdout);
    const repoDigestsA: string[] = JSON.parse(
      (await daemonA.dockerOk(['image', 'inspect', '--format', '{{json .RepoDigests}}', image])).stdout,
    );
    expect(repoDigestsA).toContain(`${registry}/team/app@${pushed}`);
    const imageIdA = (await daemonA.dockerOk(['image', 'inspect', '--format', '{{.Id}}', image])).stdout.trim();

    const loginB = await daemonB.login(registry, ADMIN_USER, suite.wharf.adminPassword);
    expect(loginB.code, loginB.stderr).toBe(0);
    const pull = await daemonB.dockerOk(['pull', image]);
    expect(pull.stdout).toContain(`Digest: ${pushed}`);
    const repoDigestsB: string[] = JSON.parse(
      (await daemonB.dockerOk(['image', 'inspect', '--format', '{{json .RepoDigests}}', image])).stdout,
    );
    expect(repoDigestsB).toContain(`${registry}/team/app@${pushed}`);
    const imageIdB = (await daemonB.dockerOk(['image', 'inspect', '--format', '{{.Id}}', image])).stdout.trim();
    expect(imageIdB).toBe(imageIdA);

    const run = await daemonB.dockerOk(['run', '--rm', '--network', 'none', image, '/bin/busybox', 'echo', 'ok']);
    expect(run.stdout.trim()).toBe('ok');

    // Pulling by digest works as well.
    const byDigest = await daemonB.dockerOk(['pull', `${registry}/team/app@${pushed}`]);
    expect(byDigest.stdout).toContain(`Digest: ${pushed}`);
  });
});
