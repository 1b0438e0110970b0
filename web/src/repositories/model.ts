import type {
  DockerJson,
  GroupRepositoryJson,
  GroupRepositoryView,
  HostedRepositoryJson,
  HostedRepositoryView,
  ProxyRepositoryJson,
  ProxyRepositoryView,
  RepositorySummary,
  RepositoryType,
  WritePolicy,
} from '@wharf/api-types';

/** Form state of the three repository forms: text inputs stay strings until they are sent. */

export interface DockerForm {
  forceBasicAuth: boolean;
  httpPort: string;
  /** An HTTPS connector (Wharf needs a certificate: WHARF_TLS_CERTIFICATE). */
  httpsPort: string;
  subdomain: string;
  pathEnabled: boolean;
}

export interface CommonForm {
  name: string;
  online: boolean;
  strictContentTypeValidation: boolean;
  /** Names of the cleanup policies chosen (picked from the existing ones). */
  cleanupPolicyNames: string[];
  docker: DockerForm;
}

export interface HostedForm extends CommonForm {
  writePolicy: WritePolicy;
  latestPolicy: boolean;
}

export interface TagTierForm {
  /** Stable React key (tiers can be reordered). */
  key: number;
  pattern: string;
  maxAge: string;
}

export type IndexType = 'HUB' | 'REGISTRY' | 'CUSTOM';

export interface ProxyForm extends CommonForm {
  remoteUrl: string;
  contentMaxAge: string;
  metadataMaxAge: string;
  tagMaxAge: TagTierForm[];
  negativeCacheEnabled: boolean;
  negativeCacheTtl: string;
  blocked: boolean;
  autoBlock: boolean;
  authEnabled: boolean;
  username: string;
  /** Write-only: empty on edit keeps the stored password (when the username is unchanged). */
  password: string;
  /** The stored username when editing (null: none stored, or creating). */
  storedUsername: string | null;
  indexType: IndexType;
  indexUrl: string;
}

export interface GroupForm extends CommonForm {
  memberNames: string[];
  /** '' = no writable member (pushes to the group are refused). */
  writableMember: string;
}

export const DOCKER_HUB_URL = 'https://registry-1.docker.io';

let tierKeys = 0;
export function newTier(pattern = '', maxAge = ''): TagTierForm {
  tierKeys += 1;
  return { key: tierKeys, pattern, maxAge };
}

function dockerDefaults(forceBasicAuth: boolean, httpPort = ''): DockerForm {
  return { forceBasicAuth, httpPort, httpsPort: '', subdomain: '', pathEnabled: true };
}

function commonDefaults(forceBasicAuth: boolean): CommonForm {
  return { name: '', online: true, strictContentTypeValidation: true, cleanupPolicyNames: [], docker: dockerDefaults(forceBasicAuth) };
}

export function defaultHosted(): HostedForm {
  return { ...commonDefaults(true), writePolicy: 'ALLOW', latestPolicy: false };
}

export function defaultProxy(): ProxyForm {
  return {
    ...commonDefaults(false),
    remoteUrl: '',
    contentMaxAge: '1440',
    metadataMaxAge: '1440',
    tagMaxAge: [],
    negativeCacheEnabled: true,
    negativeCacheTtl: '1440',
    blocked: false,
    autoBlock: true,
    authEnabled: false,
    username: '',
    password: '',
    storedUsername: null,
    indexType: 'REGISTRY',
    indexUrl: '',
  };
}

export function defaultGroup(): GroupForm {
  return { ...commonDefaults(false), memberNames: [], writableMember: '' };
}

/** The "Docker Hub" preset: Docker Hub's registry endpoint and the HUB index type. */
export function applyDockerHubPreset(form: ProxyForm): ProxyForm {
  return { ...form, name: form.name || 'docker-hub', remoteUrl: DOCKER_HUB_URL, indexType: 'HUB', indexUrl: '' };
}

// --- form -> JSON -------------------------------------------------------------------------------

function toInt(text: string): number {
  return Number.parseInt(text.trim(), 10);
}


function dockerJson(form: DockerForm): DockerJson {
  return {
    v1Enabled: false,
    forceBasicAuth: form.forceBasicAuth,
    httpPort: form.httpPort.trim() === '' ? null : toInt(form.httpPort),
    httpsPort: form.httpsPort.trim() === '' ? null : toInt(form.httpsPort),
    subdomain: form.subdomain.trim() === '' ? null : form.subdomain.trim(),
    pathEnabled: form.pathEnabled,
  };
}

/** The fields every repository type sends the same way. */
function commonJson(form: CommonForm) {
  return { name: form.name.trim(), online: form.online, cleanup: { policyNames: [...form.cleanupPolicyNames] }, docker: dockerJson(form.docker) };
}

export function hostedToJson(form: HostedForm): HostedRepositoryJson {
  return {
    ...commonJson(form),
    storage: {
      blobStoreName: 'default',
      strictContentTypeValidation: form.strictContentTypeValidation,
      writePolicy: form.writePolicy,
      latestPolicy: form.latestPolicy,
    },
  };
}

export function proxyToJson(form: ProxyForm): ProxyRepositoryJson {
  const password = form.password;
  return {
    ...commonJson(form),
    storage: { blobStoreName: 'default', strictContentTypeValidation: form.strictContentTypeValidation },
    proxy: {
      remoteUrl: form.remoteUrl.trim(),
      contentMaxAge: toInt(form.contentMaxAge),
      metadataMaxAge: toInt(form.metadataMaxAge),
      tagMaxAge: form.tagMaxAge.map((t) => ({ pattern: t.pattern, maxAge: toInt(t.maxAge) })),
    },
    negativeCache: { enabled: form.negativeCacheEnabled, timeToLive: toInt(form.negativeCacheTtl) },
    httpClient: {
      blocked: form.blocked,
      autoBlock: form.autoBlock,
      authentication: form.authEnabled ? { type: 'username', username: form.username.trim(), ...(password !== '' ? { password } : {}) } : null,
    },
    dockerProxy: { indexType: form.indexType, indexUrl: form.indexType === 'CUSTOM' ? form.indexUrl.trim() : null },
  };
}

export function groupToJson(form: GroupForm): GroupRepositoryJson {
  return {
    ...commonJson(form),
    storage: { blobStoreName: 'default', strictContentTypeValidation: form.strictContentTypeValidation },
    group: { memberNames: [...form.memberNames], writableMember: form.writableMember === '' ? null : form.writableMember },
  };
}

// --- JSON (GET) -> form -------------------------------------------------------------------------

function dockerForm(json: DockerJson): DockerForm {
  return {
    forceBasicAuth: json.forceBasicAuth,
    httpPort: json.httpPort === null || json.httpPort === undefined ? '' : String(json.httpPort),
    httpsPort: json.httpsPort === null || json.httpsPort === undefined ? '' : String(json.httpsPort),
    subdomain: json.subdomain ?? '',
    pathEnabled: json.pathEnabled ?? true,
  };
}

/** The fields every repository type reads the same way. */
function commonForm(json: HostedRepositoryJson | ProxyRepositoryJson | GroupRepositoryJson): CommonForm {
  return {
    name: json.name,
    online: json.online,
    strictContentTypeValidation: json.storage.strictContentTypeValidation,
    cleanupPolicyNames: [...(json.cleanup?.policyNames ?? [])],
    docker: dockerForm(json.docker),
  };
}

export function hostedFromJson(json: HostedRepositoryView | HostedRepositoryJson): HostedForm {
  return { ...commonForm(json), writePolicy: json.storage.writePolicy, latestPolicy: json.storage.latestPolicy ?? false };
}

export function proxyFromJson(json: ProxyRepositoryView | ProxyRepositoryJson): ProxyForm {
  const auth = json.httpClient.authentication;
  return {
    ...commonForm(json),
    remoteUrl: json.proxy.remoteUrl,
    contentMaxAge: String(json.proxy.contentMaxAge),
    metadataMaxAge: String(json.proxy.metadataMaxAge),
    tagMaxAge: (json.proxy.tagMaxAge ?? []).map((t) => newTier(t.pattern, String(t.maxAge))),
    negativeCacheEnabled: json.negativeCache.enabled,
    negativeCacheTtl: String(json.negativeCache.timeToLive),
    blocked: json.httpClient.blocked,
    autoBlock: json.httpClient.autoBlock,
    authEnabled: auth !== null,
    username: auth?.username ?? '',
    password: '',
    storedUsername: auth?.username ?? null,
    indexType: json.dockerProxy?.indexType ?? 'REGISTRY',
    indexUrl: json.dockerProxy?.indexUrl ?? '',
  };
}

export function groupFromJson(json: GroupRepositoryView | GroupRepositoryJson): GroupForm {
  return { ...commonForm(json), memberNames: [...json.group.memberNames], writableMember: json.group.writableMember ?? '' };
}

// --- facts about repositories from the list -----------------------------------------------------

export function connectorPort(summary: RepositorySummary): number | null {
  const docker = summary.attributes?.docker as { httpPort?: unknown } | undefined;
  return typeof docker?.httpPort === 'number' ? docker.httpPort : null;
}

export function httpsConnectorPort(summary: RepositorySummary): number | null {
  const docker = summary.attributes?.docker as { httpsPort?: unknown } | undefined;
  return typeof docker?.httpsPort === 'number' ? docker.httpsPort : null;
}

/** Every connector port of a repository: its HTTP and its HTTPS port. */
export function connectorPorts(summary: RepositorySummary): number[] {
  return [connectorPort(summary), httpsConnectorPort(summary)].filter((p) => p !== null);
}

/** The repository URL the server gave (honours WHARF_BASE_URL), or the page's own address. */
function addressOf(summary: { url: string } | undefined): { host: string; hostname: string } {
  if (summary) {
    try {
      return new URL(summary.url);
    } catch {
      // fall back to the page's host
    }
  }
  return window.location;
}

/** Host (with port) of the main port. */
export function mainHost(summary: { url: string } | undefined): string {
  return addressOf(summary).host;
}

/** Host name without port (for connector ports). */
export function hostName(summary: { url: string } | undefined): string {
  return addressOf(summary).hostname;
}

/** The main port number, when it can be told from a repository URL or the page. */
export function mainPortOf(repositories: RepositorySummary[]): number | null {
  for (const r of repositories) {
    try {
      const url = new URL(r.url);
      return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    } catch {
      // next
    }
  }
  return null;
}

/** `/etc/docker/daemon.json` for a Docker daemon that should use this repository as its mirror. */
export function daemonJsonSnippet(host: string, port: number): string {
  return JSON.stringify({ 'insecure-registries': [`${host}:${port}`], 'registry-mirrors': [`http://${host}:${port}`] }, null, 2);
}

/** The pull command: the connector port when there is one, else path routing on the main port. */
export function pullCommand(summary: RepositorySummary, image: string, reference: string): string {
  const port = connectorPort(summary);
  const ref = reference.includes(':') ? `@${reference}` : `:${reference}`;
  if (port !== null) return `docker pull ${hostName(summary)}:${port}/${image}${ref}`;
  return `docker pull ${mainHost(summary)}/${summary.name}/${image}${ref}`;
}

export const TYPE_LABEL: Record<RepositoryType, string> = { hosted: 'Hosted', proxy: 'Proxy', group: 'Group' };
