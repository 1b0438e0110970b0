import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATIC_BUSYBOX } from './busybox-image';
import { runChecked } from './process';

/**
 * A root filesystem tarball like buildBusyboxRootfs's, plus /etc/wharf-nonce with random content,
 * so that `docker import` of it gives an image (and a layer) no registry has seen. Returns the tar's path.
 */
export async function buildUniqueRootfs(dir: string, label: string): Promise<string> {
  const root = join(dir, `rootfs-${label}`);
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  copyFileSync(STATIC_BUSYBOX, join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  writeFileSync(join(root, 'etc', 'wharf-nonce'), `${label} ${randomBytes(16).toString('hex')}\n`);
  const tar = join(dir, `rootfs-${label}.tar`);
  await runChecked('tar', ['-C', root, '-cf', tar, '.']);
  return tar;
}
