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

const REPOSITORIES = '/service/rest/v1/repositories';

/**
 * Adds a proxy of another registry (anonymous pulls allowed) to the provisioned group, after its
 * current members: one group mirroring several registries. Throws on any unexpected status.
 */
export async function addProxyMember(wharf: Wharf, name: string, remoteUrl: string): Promise<void> {
  const created = await wharf.rest.post(`${REPOSITORIES}/docker/proxy`, {
    name,
    online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true },
    proxy: { remoteUrl, contentMaxAge: 1440, metadataMaxAge: 1440 },
    negativeCache: { enabled: true, timeToLive: 1440 },
    httpClient: { blocked: false, autoBlock: true, authentication: null },
    docker: { v1Enabled: false, forceBasicAuth: false, httpPort: null },
    dockerProxy: { indexType: 'REGISTRY', indexUrl: null },
  });
  if (created.status !== 201) throw new Error(`creating proxy ${name}: ${created.status} ${created.text()}`);
  const path = `${REPOSITORIES}/docker/group/${PROVISIONED.group}`;
  const { format: _f, type: _t, url: _u, ...body } = (await wharf.rest.get(path)).json<Record<string, unknown>>();
  const group = body.group as { memberNames: string[]; writableMember: string | null };
  const put = await wharf.rest.put(path, { ...body, group: { ...group, memberNames: [...group.memberNames, name] } });
  if (put.status !== 204) throw new Error(`adding ${name} to ${PROVISIONED.group}: ${put.status} ${put.text()}`);
}
