import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { podman as runPodman } from '../support/podman';
import { writeMirrorConfig } from '../support/containers-config';
import { type DiskImage, buildDiskImage, digestFile, readOciLayout } from '@wharf/test-kit';
import { freePort } from '../support/ports';
import { runCommand, type RunResult } from '../support/process';
import { readmeCodeBlocks } from '../support/readme';
import { RegistryClient } from '../support/registry-client';
import { startRemoteRegistry, type RemoteRegistry } from '../support/remote-registry';
import { wharfSuite } from '../support/wharf-suite';

// podman and skopeo pull an image of a non-Docker-Hub registry through a registries.conf mirror
// that is a Wharf proxy repository's connector. The registry's own name does not resolve, so
// only the mirror can serve it; the mirror's credentials come from the auth file, as in production.

const PROXY = 'example-mirror';
const SOURCE = 'registry.example.test';
const IMAGE = 'team/tool';
describe('podman pull and skopeo copy through a registries.conf mirror', () => {
  const suite = wharfSuite('pxp');
  let remote: RemoteRegistry;
  let connector: string;
  let image: DiskImage;
  let env: NodeJS.ProcessEnv;

  const podman = (args: string[], root: string) => runPodman(args, { root, env });

  // skopeo 1.9 ignores CONTAINERS_REGISTRIES_CONF; its (hidden) --registries-conf flag works.
  function skopeo(args: string[]): Promise<RunResult> {
    return runCommand('skopeo', ['--registries-conf', env.CONTAINERS_REGISTRIES_CONF!, '--insecure-policy', ...args], {
      env,
      timeoutMs: 300_000,
    });
  }

  beforeAll(async () => {
    remote = await startRemoteRegistry(suite.cleanup, suite.dir, 'src');

    // gzip layers (stored blocks) so podman can unpack them; Docker schema 2 as most registries serve.
    image = await buildDiskImage(join(suite.dir, 'image'), { layers: [3 << 20, 4096], format: 'docker', gzip: true });
    await new RegistryClient({ baseUrl: remote.registry.url }).pushImage(IMAGE, '1', image);
    const port = await freePort();
    await suite.wharf.createProxyRepo(PROXY, { remoteUrl: remote.faults.url, httpPort: port, metadataMaxAge: 0, autoBlock: false, indexType: 'REGISTRY' });
    connector = `127.0.0.1:${port}`;

    env = writeMirrorConfig(suite.dir, { source: SOURCE, mirror: connector, auths: { [connector]: suite.wharf.adminCredentials } });
  });

  it('skopeo copy from the mirrored registry goes through Wharf, with identical digests', async () => {
    const out = join(suite.dir, 'layout-1');
    const r = await skopeo(['copy', `docker://${SOURCE}/${IMAGE}:1`, `oci:${out}:1`, '--preserve-digests']);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    const layout = readOciLayout(out, '1');
    expect(layout.manifest.digest).toBe(image.manifest.digest);
    expect(layout.manifest.bytes.equals(image.manifest.bytes)).toBe(true);
    for (const l of image.layers) expect(await digestFile(layout.blobPath(l.digest))).toEqual({ digest: l.digest, size: l.size });
    expect(remote.faults.count('manifest-get', (q) => q.image === IMAGE && q.reference === '1')).toBe(1);
    expect(remote.faults.count('blob-get', (q) => q.image === IMAGE)).toBe(image.layers.length + 1);
  });

  it('the README\'s skopeo recipe works as written: its registries.conf and its command line', async () => {
    // Taken from the README's "Use with podman, skopeo, ..." section; only the host names change: the
    // registry (quay.io) becomes the unresolvable SOURCE and the group (wharf:8181) this proxy's connector.
    const section = 'Use with podman, skopeo, buildah, CRI-O';
    const [toml] = readmeCodeBlocks(section, 'toml');
    const command = readmeCodeBlocks(section, 'sh').flatMap((b) => b.split('\n')).find((l) => l.startsWith('skopeo '));
    expect(toml, 'README registries.conf').toContain('location = "wharf:8181"');
    expect(command, 'README skopeo command').toBeDefined();
    const ours = (text: string) => text.replaceAll('wharf:8181', connector).replaceAll('quay.io', SOURCE);
    const dir = join(suite.dir, 'readme');
    mkdirSync(dir);
    writeFileSync(join(dir, 'registries.conf'), ours(toml!));
    const [bin, ...args] = ours(command!).trim().split(/\s+/);
    // No CONTAINERS_REGISTRIES_CONF: the command line alone must name the file. Credentials from the auth file.
    const { CONTAINERS_REGISTRIES_CONF: _ignored, ...rest } = env;
    const r = await runCommand(bin!, args, { cwd: dir, env: rest, timeoutMs: 300_000 });
    expect(r.code, `${command}\n${r.stdout}${r.stderr}`).toBe(0);
    // skopeo converts the Docker manifest to OCI without --preserve-digests; the layers are the same bytes.
    const layout = readOciLayout(join(dir, 'tool'), '1');
    for (const l of image.layers) expect(await digestFile(layout.blobPath(l.digest))).toEqual({ digest: l.digest, size: l.size });
  });

  it('podman pull from the mirrored registry gets the image, its blobs from the Wharf cache', async () => {
    const blobsBefore = remote.faults.count('blob-get');
    const root = join(suite.dir, 'podman-a');
    mkdirSync(root, { recursive: true });
    const pull = await podman(['pull', `${SOURCE}/${IMAGE}:1`], root);
    expect(pull.code, `${pull.stdout}${pull.stderr}`).toBe(0);
    const inspect = await podman(['image', 'inspect', '--format', '{{.Digest}}', `${SOURCE}/${IMAGE}:1`], root);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout.trim()).toBe(image.manifest.digest);
    expect(remote.faults.count('blob-get')).toBe(blobsBefore);
  });

  it('with the upstream down, podman and skopeo still pull the cached image through the mirror', async () => {
    await remote.faults.stop();
    try {
      const root = join(suite.dir, 'podman-b');
      mkdirSync(root, { recursive: true });
      const pull = await podman(['pull', `${SOURCE}/${IMAGE}:1`], root);
      expect(pull.code, `${pull.stdout}${pull.stderr}`).toBe(0);
      const inspect = await podman(['image', 'inspect', '--format', '{{.Digest}}', `${SOURCE}/${IMAGE}:1`], root);
      expect(inspect.stdout.trim()).toBe(image.manifest.digest);

      const out = join(suite.dir, 'layout-2');
      const r = await skopeo(['copy', `docker://${SOURCE}/${IMAGE}:1`, `oci:${out}:1`, '--preserve-digests']);
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      expect(readOciLayout(out, '1').manifest.digest).toBe(image.manifest.digest);
    } finally {
      await remote.faults.start();
    }
  });

  it('an image the upstream does not have fails with "manifest unknown", not a silent fallback', async () => {
    const r = await skopeo(['copy', `docker://${SOURCE}/${IMAGE}:nope`, `oci:${join(suite.dir, 'layout-nope')}:nope`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/manifest unknown|not found|MANIFEST_UNKNOWN/i);
  });

  it('the connector refuses anonymous pulls when forceBasicAuth is on (credentials came from the auth file)', async () => {
    const res = await fetch(`http://${connector}/v2/${IMAGE}/manifests/1`);
    expect(res.status).toBe(401);
  });
});
