import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedBusybox } from '../support/busybox-image';
import { Dockerd } from '../support/dockerd';
import { freePort } from '../support/ports';
import { startRemoteRegistry, type RemoteRegistry } from '../support/remote-registry';
import { wharfSuite } from '../support/wharf-suite';

// The seed scenario: dockerd with `--registry-mirror` pointing at a Wharf proxy repository's
// connector, Docker Hub played by CNCF Distribution (seeded with busybox:1.36 by a real docker
// push), reached through a counting pass-through that can also go down.

const PROXY = 'docker-hub';
const REPOSITORIES = '/service/rest/v1/repositories';

describe('docker pull busybox:1.36 through a Wharf proxy used as registry mirror', () => {
  const suite = wharfSuite('pxd');
  let hub: RemoteRegistry;
  let mirror: string;
  let pushedDigest: string;
  const daemons: Dockerd[] = [];

  async function cleanDaemon(name: string): Promise<Dockerd> {
    const d = suite.cleanup.stopping(`dockerd ${name}`, await Dockerd.start({ dir: suite.dir, name, registryMirrors: [mirror] }));
    daemons.push(d);
    return d;
  }

  function expectNoFallback(d: Dockerd): void {
    const log = readFileSync(d.logFile, 'utf8');
    const fallback = log.split('\n').filter((l) => /Attempting next endpoint/i.test(l));
    expect(fallback, `dockerd fell back from the mirror:\n${fallback.join('\n')}`).toEqual([]);
  }

  beforeAll(async () => {
    hub = await startRemoteRegistry(suite.cleanup, suite.dir, 'hub');
    pushedDigest = await seedBusybox(suite.dir, hub.registry.host, suite.cleanup);

    const { wharf } = suite;
    // A mirror gets no credentials from dockerd: anonymous pulls from this repository.
    await wharf.allowAnonymous();
    const port = await freePort();
    // metadataMaxAge 0: every pull revalidates the tag, so the outage below exercises the stale path.
    await wharf.createProxyRepo(PROXY, { remoteUrl: hub.faults.url, httpPort: port, metadataMaxAge: 0, forceBasicAuth: false, indexType: 'HUB' });
    mirror = `http://127.0.0.1:${port}`;
  });

  it('the mirror challenges GET /v2/ (what dockerd sends first) and grants anonymous pull tokens', async () => {
    const res = await fetch(`${mirror}/v2/`);
    expect(res.status, await res.text()).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="[^"]+",service="[^"]+"/);
    const realm = /realm="([^"]+)"/.exec(challenge)![1]!;
    const service = /service="([^"]+)"/.exec(challenge)![1]!;
    const tokenRes = await fetch(`${realm}?service=${encodeURIComponent(service)}&scope=${encodeURIComponent('repository:library/busybox:pull')}`);
    expect(tokenRes.status).toBe(200);
    const { token } = (await tokenRes.json()) as { token: string };
    const manifest = await fetch(`${mirror}/v2/library/busybox/manifests/1.36`, {
      headers: {
        Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
        Authorization: `Bearer ${token}`,
      },
    });
    expect(manifest.status, await manifest.text()).toBe(200);
    expect(manifest.headers.get('docker-content-digest')).toBe(pushedDigest);
  });

  it('docker pull busybox:1.36 goes through Wharf, with the pushed digest, and the image runs', async () => {
    const d = await cleanDaemon('a');
    const pull = await d.docker(['pull', 'busybox:1.36']);
    expect(pull.code, `${pull.stdout}${pull.stderr}\n--- dockerd log ---\n${readFileSync(d.logFile, 'utf8').slice(-3000)}`).toBe(0);
    expect(pull.stdout).toContain(`Digest: ${pushedDigest}`);
    expectNoFallback(d);
    expect(hub.faults.count('manifest-get', (r) => r.image === 'library/busybox')).toBeGreaterThanOrEqual(1);
    expect(hub.faults.count('blob-get', (r) => r.image === 'library/busybox')).toBeGreaterThanOrEqual(2);
    const digests: string[] = JSON.parse((await d.dockerOk(['image', 'inspect', '--format', '{{json .RepoDigests}}', 'busybox:1.36'])).stdout);
    expect(digests).toContain(`busybox@${pushedDigest}`);
    const run = await d.dockerOk(['run', '--rm', '--network', 'none', 'busybox:1.36', '/bin/busybox', 'echo', 'ok']);
    expect(run.stdout.trim()).toBe('ok');
    await d.stop();
  });

  it('a second clean daemon pulls the same image without any blob fetched from the upstream', async () => {
    const blobsBefore = hub.faults.count('blob-get');
    const manifestGetsBefore = hub.faults.count('manifest-get');
    const d = await cleanDaemon('b');
    const pull = await d.docker(['pull', 'busybox:1.36']);
    expect(pull.code, `${pull.stdout}${pull.stderr}`).toBe(0);
    expect(pull.stdout).toContain(`Digest: ${pushedDigest}`);
    expectNoFallback(d);
    expect(hub.faults.count('blob-get')).toBe(blobsBefore);
    // The tag was revalidated with a HEAD, not fetched again.
    expect(hub.faults.count('manifest-get')).toBe(manifestGetsBefore);
    await d.stop();
  });

  it('with the upstream down, a clean daemon still pulls (and runs) the cached image', async () => {
    await hub.faults.stop();
    const d = await cleanDaemon('c');
    const pull = await d.docker(['pull', 'busybox:1.36']);
    expect(pull.code, `${pull.stdout}${pull.stderr}\n--- dockerd log ---\n${readFileSync(d.logFile, 'utf8').slice(-3000)}`).toBe(0);
    expect(pull.stdout).toContain(`Digest: ${pushedDigest}`);
    expectNoFallback(d);
    const run = await d.dockerOk(['run', '--rm', '--network', 'none', 'busybox:1.36', '/bin/busybox', 'echo', 'ok']);
    expect(run.stdout.trim()).toBe('ok');
    const status = await suite.wharf.rest.get(`${REPOSITORIES}/${PROXY}/status`);
    expect(status.status).toBe(200);
    const body = status.json<{ upstream: { reachable: boolean | null }; counters: { staleServed: number } }>();
    expect(body.upstream.reachable).toBe(false);
    expect(body.counters.staleServed).toBeGreaterThanOrEqual(1);
    await d.stop();
  });
});
