'use strict';
// Optional tools of the benchmark: used when present, installed from Debian's archive when this is root.
const { runCommand, which, log } = require('./proc');

/**
 * Finds `command`, or installs Debian package `pkg` when root. { bin, installed } or { bin: null, reason }
 * (then `purpose` is skipped and said so).
 */
async function ensureTool(command, pkg, purpose) {
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

module.exports = { ensureTool };
