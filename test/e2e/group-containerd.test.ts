import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Containerd } from '../support/containerd';
import { type DiskImage, type UpstreamRegistry, buildDiskImage } from '@wharf/test-kit';
import { freePort } from '../support/ports';
import { addProxyMember, provision } from '../support/provision';
import { RegistryClient } from '../support/registry-client';
import { ADMIN_USER } from '../support/wharf';
import { startRemoteRegistry } from '../support/remote-registry';
import { wharfSuite } from '../support/wharf-suite';

// containerd (Debian's 1.6, driven with ctr) reaching two registries through ONE Wharf group:
// a hosts.toml per registry names the group's connector as mirror, and containerd tells the group
// which registry it wants with `?ns=<registry host>`. Both registries (CNCF Distribution) have
// library/app:1 with different content; each pull must get its own registry's image.
// The registries' own `server` entries point at a closed port, so only the group can answer
// (containerd would otherwise fall back to the registry itself).


describe('containerd pulls two registries\' images through one group with ?ns= routing', () => {
  const suite = wharfSuite('grpc');
  let faultsA: UpstreamRegistry;
  let faultsB: UpstreamRegistry;
  let containerd: Containerd;
  let group: string;
  let hostedPort: number;
  let appA: DiskImage;
  let appB: DiskImage;
  let local: DiskImage;
  let localDigest: string;

  beforeAll(async () => {
    ({ faults: faultsA } = await startRemoteRegistry(suite.cleanup, suite.dir, 'ra'));
    ({ faults: faultsB } = await startRemoteRegistry(suite.cleanup, suite.dir, 'rb'));
    appA = await buildDiskImage(join(suite.dir, 'app-a'), { layers: [200_000, 1000], format: 'docker', gzip: true });
    appB = await buildDiskImage(join(suite.dir, 'app-b'), { layers: [150_000], format: 'docker', gzip: true });
    local = await buildDiskImage(join(suite.dir, 'local'), { layers: [50_000], format: 'oci', gzip: true });
    await new RegistryClient({ baseUrl: faultsA.target! }).pushImage('library/app', '1', appA);
    await new RegistryClient({ baseUrl: faultsB.target! }).pushImage('library/app', '1', appB);
    const groupPort = await freePort();
    hostedPort = await freePort();
    group = `127.0.0.1:${groupPort}`;
    // docker-hub mirrors registry A here, configured as a corporate Docker Hub mirror would be (indexType HUB,
    // remote URL not registry-1.docker.io); registry B gets a proxy of its own, added to the group.
    await provision(suite.wharf, { upstream: faultsA.url, groupPort, hostedPort, env: { INDEX_TYPE: 'HUB' } });
    await addProxyMember(suite.wharf, 'registry-b', faultsB.url);

    localDigest = await suite.wharf.adminClient(`http://127.0.0.1:${hostedPort}`).pushImage('team/local', '1', local);

    containerd = suite.cleanup.stopping('containerd', await Containerd.start({ dir: suite.dir, name: 'ctd' }));
    const closed = `http://127.0.0.1:${await freePort()}`;
    for (const registry of [faultsA.host, faultsB.host, 'docker.io']) containerd.writeHostsToml(registry, closed, [{ url: `http://${group}` }]);
  });

  async function expectPulled(ref: string, digest: string, user?: { username: string; password: string }): Promise<void> {
    const pull = await containerd.pull(ref, user ? { user } : {});
    expect(pull.code, `${pull.stdout}${pull.stderr}\n--- containerd log ---\n${containerd.logFile}`).toBe(0);
    expect(await containerd.imageDigest(ref)).toBe(digest);
  }

  it('the group answers containerd\'s HEAD with ?ns= (plain HTTP, what ctr sends first)', async () => {
    for (const [f, image] of [
      [faultsA, appA],
      [faultsB, appB],
    ] as const) {
      const res = await fetch(`http://${group}/v2/library/app/manifests/1?ns=${encodeURIComponent(f.host)}`, {
        method: 'HEAD',
        headers: { Accept: image.manifest.mediaType },
      });
      expect(res.status, `ns=${f.host}`).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(image.manifest.digest);
    }
  });

  it('ctr pull <registry A>/library/app:1 gets A\'s image through the group', async () => {
    const beforeB = faultsB.requests.length;
    await expectPulled(`${faultsA.host}/library/app:1`, appA.manifest.digest);
    expect(faultsA.count('manifest-get', (r) => r.image === 'library/app')).toBeGreaterThanOrEqual(1);
    expect(faultsB.requests.length).toBe(beforeB);
  });

  it('ctr pull <registry B>/library/app:1 gets B\'s image through the same group', async () => {
    const beforeA = faultsA.requests.length;
    await expectPulled(`${faultsB.host}/library/app:1`, appB.manifest.digest);
    expect(faultsB.count('manifest-get', (r) => r.image === 'library/app')).toBeGreaterThanOrEqual(1);
    expect(faultsA.requests.length).toBe(beforeA);
  });

  it('ctr pull docker.io/library/app:1 (anonymous, ?ns=docker.io) is served by the HUB proxy whose remote is a corporate mirror', async () => {
    const beforeB = faultsB.requests.length;
    await expectPulled('docker.io/library/app:1', appA.manifest.digest);
    expect(faultsB.requests.length).toBe(beforeB);
    // containerd asked the group with ns=docker.io (Wharf's access log keeps the query) and got no 401.
    const asked = readFileSync(suite.wharf.logFile, 'utf8').split('\n').filter((l) => l.includes('/v2/library/app/manifests/1') && l.includes('ns=docker.io'));
    expect(asked.length, 'access-log lines of containerd\'s manifest requests with ns=docker.io').toBeGreaterThan(0);
    expect(asked.filter((l) => /\b401\b/.test(l))).toEqual([]);
  });

  it('an image in the hosted member (which anonymous callers cannot read): ctr is asked to log in and then pulls it', async () => {
    const ref = `${faultsB.host}/team/local:1`;
    const anonymous = await containerd.pull(ref);
    expect(anonymous.code).not.toBe(0);
    expect(`${anonymous.stdout}${anonymous.stderr}`).toMatch(/401|unauthori[sz]ed|authorization/i);
    await expectPulled(ref, localDigest, { username: ADMIN_USER, password: suite.wharf.adminPassword });
  });
});
