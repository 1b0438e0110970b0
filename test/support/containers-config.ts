import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The containers/image configuration podman and skopeo read: a registries.conf that mirrors `source`
 * through `mirror` (insecure, plain HTTP), an auth file and a vfs storage root, all under `dir`.
 * Returns the environment that points podman at them.
 */
export function writeMirrorConfig(
  dir: string,
  opts: { source: string; mirror: string; auths?: Record<string, { username: string; password: string }> },
): NodeJS.ProcessEnv {
  const registriesConf = join(dir, 'registries.conf');
  writeFileSync(
    registriesConf,
    [
      'unqualified-search-registries = []',
      '',
      '[[registry]]',
      `prefix = "${opts.source}"`,
      `location = "${opts.source}"`,
      '',
      '[[registry.mirror]]',
      `location = "${opts.mirror}"`,
      'insecure = true',
      '',
    ].join('\n'),
  );
  const authFile = join(dir, 'auth.json');
  const auths = Object.fromEntries(
    Object.entries(opts.auths ?? {}).map(([host, c]) => [host, { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') }]),
  );
  writeFileSync(authFile, JSON.stringify({ auths }));
  const storageConf = join(dir, 'storage.conf');
  writeFileSync(storageConf, `[storage]\ndriver = "vfs"\nrunroot = "${join(dir, 'podman-run')}"\ngraphroot = "${join(dir, 'podman-graph')}"\n`);
  return { ...process.env, CONTAINERS_REGISTRIES_CONF: registriesConf, REGISTRY_AUTH_FILE: authFile, CONTAINERS_STORAGE_CONF: storageConf };
}
