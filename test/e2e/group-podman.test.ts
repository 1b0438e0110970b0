import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { podman as runPodman } from '../support/podman';
import { writeMirrorConfig } from '../support/containers-config';
import { Distribution } from '../support/distribution';
import { type DiskImage, buildDiskImage } from '@wharf/test-kit';
import { freePort } from '../support/ports';
import { addProxyMember, provision } from '../support/provision';
import { RegistryClient } from '../support/registry-client';
import { startRemoteRegistry, type RemoteRegistry } from '../support/remote-registry';
import { wharfSuite } from '../support/wharf-suite';

// podman pulls an image of a registry that is not Docker Hub through a registries.conf mirror that
// is the Wharf group provisioned by examples/provision.sh, with a proxy of that registry added to the
// group. The registry's own name does not resolve, so only the mirror can serve the image.

const SOURCE = 'registry.example.test';
const IMAGE = 'team/tool';

describe('podman pull through the group as a registries.conf mirror', () => {
  const suite = wharfSuite('grpp');
  let remote: RemoteRegistry;
  let group: string;
  let image: DiskImage;
  let env: NodeJS.ProcessEnv;

  const podman = (args: string[], root: string) => runPodman(args, { root, env });

  beforeAll(async () => {
    const hub = suite.cleanup.stopping('hub registry', await Distribution.start({ dir: suite.dir, name: 'hub' }));
    remote = await startRemoteRegistry(suite.cleanup, suite.dir, 'src');
    image = await buildDiskImage(join(suite.dir, 'image'), { layers: [2 << 20, 4096], format: 'docker', gzip: true });
    await new RegistryClient({ baseUrl: remote.registry.url }).pushImage(IMAGE, '1', image);
    const groupPort = await freePort();
    await provision(suite.wharf, { upstream: hub.url, groupPort, hostedPort: await freePort() });
    group = `127.0.0.1:${groupPort}`;
    await addProxyMember(suite.wharf, 'example-registry', remote.faults.url);

    // No credentials: the group and its proxy member allow anonymous pulls (provision.sh turned anonymous access on).
    env = writeMirrorConfig(suite.dir, { source: SOURCE, mirror: group });
  });

  it('podman pull registry.example.test/team/tool:1 is served by the group, with the registry\'s digest', async () => {
    const root = join(suite.dir, 'podman-a');
    const pull = await podman(['pull', `${SOURCE}/${IMAGE}:1`], root);
    expect(pull.code, `${pull.stdout}${pull.stderr}`).toBe(0);
    const inspect = await podman(['image', 'inspect', '--format', '{{.Digest}}', `${SOURCE}/${IMAGE}:1`], root);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout.trim()).toBe(image.manifest.digest);
    // The group asked its proxy member, which fetched from the source registry.
    expect(remote.faults.count('manifest-get', (r) => r.image === IMAGE)).toBeGreaterThanOrEqual(1);
    expect(remote.faults.count('blob-get', (r) => r.image === IMAGE)).toBe(image.layers.length + 1);
  });

  it('a second, clean podman gets the blobs from the group\'s cache', async () => {
    const blobsBefore = remote.faults.count('blob-get');
    const root = join(suite.dir, 'podman-b');
    const pull = await podman(['pull', `${SOURCE}/${IMAGE}:1`], root);
    expect(pull.code, `${pull.stdout}${pull.stderr}`).toBe(0);
    const inspect = await podman(['image', 'inspect', '--format', '{{.Digest}}', `${SOURCE}/${IMAGE}:1`], root);
    expect(inspect.stdout.trim()).toBe(image.manifest.digest);
    expect(remote.faults.count('blob-get')).toBe(blobsBefore);
  });

  it('an image the registry does not have fails (manifest unknown), without a fallback that succeeds', async () => {
    const pull = await podman(['pull', `${SOURCE}/${IMAGE}:nope`], join(suite.dir, 'podman-c'));
    expect(pull.code).not.toBe(0);
    expect(`${pull.stdout}${pull.stderr}`).toMatch(/manifest unknown|not found|MANIFEST_UNKNOWN|no such host|lookup/i);
  });
});
