import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cleanup } from './cleanup';
import { Dockerd, pushedDigest } from './dockerd';
import { runChecked } from './process';

export const STATIC_BUSYBOX = '/bin/busybox';

/**
 * Builds the root filesystem tarball of a minimal image from the static busybox
 * (rootfs/bin/busybox, tarred), ready for `docker import`. Returns the tar's path.
 */
export async function buildBusyboxRootfs(dir: string): Promise<string> {
  const root = join(dir, 'busybox-rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync(STATIC_BUSYBOX, join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  const tar = join(dir, 'busybox-rootfs.tar');
  await runChecked('tar', ['-C', root, '-cf', tar, '.']);
  return tar;
}

/**
 * Seeds `registryHost` (a Distribution standing in for Docker Hub) with library/busybox:1.36 made from the
 * static busybox, pushed by a daemon of its own that is stopped afterwards (TESTING.md's recipe). Returns the
 * digest docker pushed.
 */
export async function seedBusybox(dir: string, registryHost: string, cleanup: Cleanup): Promise<string> {
  const seeder = cleanup.stopping('dockerd seed', await Dockerd.start({ dir, name: 'seed' }));
  const ref = `${registryHost}/library/busybox:1.36`;
  await seeder.dockerOk(['import', await buildBusyboxRootfs(dir), ref]);
  const push = await seeder.dockerOk(['push', ref]);
  await seeder.stop();
  return pushedDigest(push.stdout);
}
