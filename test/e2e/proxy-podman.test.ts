import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../support/cleanup';
import { podman as runPodman } from '../support/podman';
import { writeMirrorConfig } from '../support/containers-config';
import { type DiskImage, UpstreamRegistry, buildDiskImage, digestFile, readOciLayout } from '@wharf/test-kit';
import { Distribution } from '../support/distribution';
import { freePort } from '../support/ports';
import { runCommand, type RunResult } from '../support/process';
import { readmeCodeBlocks } from '../support/readme';
import { RegistryClient } from '../support/registry-client';
import { Wharf } from '../support/wharf';

// podman and skopeo pull an image of a non-Docker-Hub registry through a registries.conf mirror
// that is a Wharf proxy repository's connector. The registry's own name does not resolve, so
// only the mirror can serve it; the mirror's credentials come from the auth file, as in production.

const PROXY = 'example-mirror';
const SOURCE = 'registry.example.test';
const IMAGE = 'team/tool';
describe('podman pull and skopeo copy through a registries.conf mirror', () => {
  const cleanup = new Cleanup();
  let tmp: string;
  let upstream: Distribution;
  let faults: UpstreamRegistry;
  let wharf: Wharf;
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
    tmp = cleanup.tempDir('pxp');
    upstream = cleanup.stopping('upstream registry', await Distribution.start({ dir: tmp, name: 'src' }));
    faults = cleanup.stopping('fault proxy', await UpstreamRegistry.start({ target: upstream.url }));

    // gzip layers (stored blocks) so podman can unpack them; Docker schema 2 as most registries serve.
    image = await buildDiskImage(join(tmp, 'image'), { layers: [3 << 20, 4096], format: 'docker', gzip: true });
    await new RegistryClient({ baseUrl: upstream.url }).pushImage(IMAGE, '1', image);

    wharf = cleanup.stopping('wharf', await Wharf.start({ dir: tmp }));
    const port = await freePort();
    await wharf.createProxyRepo(PROXY, { remoteUrl: faults.url, httpPort: port, metadataMaxAge: 0, autoBlock: false, indexType: 'REGISTRY' });
    connector = `127.0.0.1:${port}`;

    env = writeMirrorConfig(tmp, { source: SOURCE, mirror: connector, auths: { [connector]: wharf.adminCredentials } });
  });
  afterAll(() => cleanup.run());

  it('skopeo copy from the mirrored registry goes through Wharf, with identical digests', async () => {
    const out = join(tmp, 'layout-1');
    const r = await skopeo(['copy', `docker://${SOURCE}/${IMAGE}:1`, `oci:${out}:1`, '--preserve-digests']);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    const layout = readOciLayout(out, '1');
    expect(layout.manifest.digest).toBe(image.manifest.digest);
    expect(layout.manifest.bytes.equals(image.manifest.bytes)).toBe(true);
    for (const l of image.layers) expect(await digestFile(layout.blobPath(l.digest))).toEqual({ digest: l.digest, size: l.size });
    expect(faults.count('manifest-get', (q) => q.image === IMAGE && q.reference === '1')).toBe(1);
    expect(faults.count('blob-get', (q) => q.image === IMAGE)).toBe(image.layers.length + 1);
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
    const dir = join(tmp, 'readme');
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
    const blobsBefore = faults.count('blob-get');
    const root = join(tmp, 'podman-a');
    mkdirSync(root, { recursive: true });
    const pull = await podman(['pull', `${SOURCE}/${IMAGE}:1`], root);
    expect(pull.code, `${pull.stdout}${pull.stderr}`).toBe(0);
    const inspect = await podman(['image', 'inspect', '--format', '{{.Digest}}', `${SOURCE}/${IMAGE}:1`], root);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout.trim()).toBe(image.manifest.digest);
    expect(faults.count('blob-get')).toBe(blobsBefore);
  });

  it('with the upstream down, podman and skopeo still pull the cached image through the mirror', async () => {
    await faults.stop();
    try {
      const root = join(tmp, 'podman-b');
      mkdirSync(root, { recursive: true });
      const pull = await podman(['pull', `${SOURCE}/${IMAGE}:1`], root);
      expect(pull.code, `${pull.stdout}${pull.stderr}`).toBe(0);
      const inspect = await podman(['image', 'inspect', '--format', '{{.Digest}}', `${SOURCE}/${IMAGE}:1`], root);
      expect(inspect.stdout.trim()).toBe(image.manifest.digest);

      const out = join(tmp, 'layout-2');
      const r = await skopeo(['copy', `docker://${SOURCE}/${IMAGE}:1`, `oci:${out}:1`, '--preserve-digests']);
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      expect(readOciLayout(out, '1').manifest.digest).toBe(image.manifest.digest);
    } finally {
      await faults.start();
    }
  });

  it('an image the upstream does not have fails with "manifest unknown", not a silent fallback', async () => {
    const r = await skopeo(['copy', `docker://${SOURCE}/${IMAGE}:nope`, `oci:${join(tmp, 'layout-nope')}:nope`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/manifest unknown|not found|MANIFEST_UNKNOWN/i);
  });

  it('the connector refuses anonymous pulls when forceBasicAuth is on (credentials came from the auth file)', async () => {
    const res = await fetch(`http://${connector}/v2/${IMAGE}/manifests/1`);
    expect(res.status).toBe(401);
  });
});
