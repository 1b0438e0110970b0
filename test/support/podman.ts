import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, type RunResult } from './process';

export interface PodmanOptions {
  /** The podman's own storage, run and temp dirs live below it: a clean client per root. */
  root: string;
  /** CONTAINERS_REGISTRIES_CONF, REGISTRY_AUTH_FILE ... (containers-config.ts writes them). */
  env?: NodeJS.ProcessEnv;
  /** Standard input (`login --password-stdin`). */
  input?: string;
}

/**
 * Runs podman as a private client, the way Dockerd is a private docker: storage below `root` (vfs, so no
 * overlay mounts), cgroupfs and file events (no systemd in a test), the machine's configuration untouched.
 */
export function podman(args: string[], { root, env, input }: PodmanOptions): Promise<RunResult> {
  mkdirSync(root, { recursive: true });
  const storage = ['--root', join(root, 'storage'), '--runroot', join(root, 'run'), '--tmpdir', join(root, 'libpod')];
  const host = ['--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  return runCommand('podman', [...storage, ...host, ...args], { ...(env ? { env } : {}), timeoutMs: 300_000, ...(input !== undefined ? { input } : {}) });
}
