import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
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
