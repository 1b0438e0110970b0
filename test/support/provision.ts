import { join } from 'node:path';
import { REPO_ROOT } from './paths';
import { runCommand, type RunResult } from './process';
import { ADMIN_USER, type Wharf } from './wharf';

/** The README's provisioning script: hub proxy, hosted repository, group, anonymous access. */
export const PROVISION_SCRIPT = join(REPO_ROOT, 'examples', 'provision.sh');

export const PROVISIONED = { proxy: 'docker-hub', hosted: 'docker-hosted', group: 'docker-all' } as const;

export interface ProvisionOptions {
  /** Remote of the docker-hub proxy (a local Distribution in tests). */
  upstream: string;
  groupPort: number;
  hostedPort: number;
  /** Any other variable of the script (INDEX_TYPE, HUB_PORT, DOCKERHUB_USERNAME ...). */
  env?: Record<string, string>;
}

/** Runs examples/provision.sh against `wharf` exactly as a user would (bash + curl); never throws. */
export function runProvision(wharf: Wharf, opts: ProvisionOptions): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WHARF_URL: wharf.baseUrl,
    WHARF_USER: ADMIN_USER,
    WHARF_PASSWORD: wharf.adminPassword,
    UPSTREAM: opts.upstream,
    GROUP_PORT: String(opts.groupPort),
    HOSTED_PORT: String(opts.hostedPort),
    ...(opts.env ?? {}),
  };
  return runCommand('bash', [PROVISION_SCRIPT], { env, cwd: wharf.dir, timeoutMs: 120_000 });
}

/** Runs the script and throws with its output unless it exits 0. */
export async function provision(wharf: Wharf, opts: ProvisionOptions): Promise<RunResult> {
  const r = await runProvision(wharf, opts);
  if (r.code !== 0) throw new Error(`examples/provision.sh exited ${r.code ?? r.signal}\n${r.stdout}${r.stderr}`);
  return r;
}
