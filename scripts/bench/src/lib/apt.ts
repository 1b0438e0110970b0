// Optional tools of the benchmark: used when present, installed from Debian's archive when this is root.
import { runCommand, which, log } from './proc';

/** A tool found or installed (bin), or why it is not there. */
export type Tool = { bin: string; installed: boolean } | { bin: null; reason: string };

/**
 * Finds `command`, or installs Debian package `pkg` when root. { bin, installed } or { bin: null, reason }
 * (then `purpose` is skipped and said so).
 */
export async function ensureTool(command: string, pkg: string, purpose: string): Promise<Tool> {
  let bin = which(command);
  if (bin) return { bin, installed: false };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    log(`${command} is not installed and this is not root: ${purpose} skipped (apt-get install -y ${pkg} enables it)`);
    return { bin: null, reason: `${command} missing, not root` };
  }
  log(`installing ${command} (apt-get install -y ${pkg})`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => runCommand('apt-get', ['install', '-y', '--no-install-recommends', pkg], { env, timeoutMs: 180_000 });
  let res = await install();
  if (res.code !== 0) {
    log('apt-get install failed, running apt-get update first');
    await runCommand('apt-get', ['update'], { env, timeoutMs: 180_000 });
    res = await install();
  }
  bin = which(command);
  if (!bin) {
    log(`could not install ${command} (${res.stderr.trim().split('\n').pop()}); ${purpose} skipped`);
    return { bin: null, reason: `${command} could not be installed` };
  }
  return { bin, installed: true };
}
