import type {
  AnonymousSettingsJson,
  ApiTokenJson,
  AuditPageJson,
  BlobStoreSummaryJson,
  BlobStoreUsageSampleJson,
  CleanupPolicyJson,
  CleanupPreviewJson,
  CleanupPreviewRequestJson,
  ComponentJson,
  CreateApiTokenJson,
  CreateUserJson,
  CreatedApiTokenJson,
  GroupRepositoryJson,
  GroupRepositoryView,
  HostedRepositoryJson,
  ImageConfig,
  HostedRepositoryView,
  ImageSizeJson,
  PageJson,
  PrivilegeJson,
  ProxyRepositoryJson,
  ProxyRepositoryView,
  RealmJson,
  RepositoryStatusJson,
  RepositoryStatusSummaryJson,
  RepositorySummary,
  RepositoryType,
  RoleJson,
  TaskJson,
  UserJson,
} from '@wharf/api-types';
import { componentId } from '@wharf/api-types';
import { ApiError, errorFromBody, parseRetryAfter } from './errors';
import { MANIFEST_ACCEPT, type ManifestDocument, parseManifest } from './oci';

/** Who the UI calls the server as: the user name (for display) and the ready `Authorization` value. */
export interface Credentials {
  username: string;
  authorization: string;
}

/** `Basic base64(user:password)` with UTF-8, so non-ASCII passwords work. */
export function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

export interface RepositoryJsonByType {
  hosted: HostedRepositoryJson;
  proxy: ProxyRepositoryJson;
  group: GroupRepositoryJson;
}

export interface RepositoryViewByType {
  hosted: HostedRepositoryView;
  proxy: ProxyRepositoryView;
  group: GroupRepositoryView;
}

export interface ApiClientOptions {
  credentials: Credentials | null;
  /** Injected in tests; the browser's fetch otherwise. */
  fetch?: typeof fetch;
  /** Prefix of every path; '' = same origin (the UI is served by Wharf itself, or by Vite's proxy). */
  baseUrl?: string;
  /** Called when the server stops accepting the credentials (any 401). */
  onUnauthorized?: (error: ApiError) => void;
}

interface RequestOptions {
  body?: unknown;
  text?: string;
  accept?: string;
}

const REST = '/service/rest/v1';

/** What a list page needs of a REST collection: read it, tell its items apart, delete one. */
export interface Listing<T> {
  /** The collection's path under /service/rest/v1; also the key its list is cached under. */
  readonly path: string;
  /** The list request, as a 404 on it is reported: `GET /service/rest/v1/…`. */
  readonly endpoint: string;
  keyOf(item: T): string;
  list(): Promise<T[]>;
  remove(item: T): Promise<void>;
}

/** A REST collection (Nexus style): GET lists it, POST adds to it, PUT and DELETE address one item by its key. */
export interface Collection<T, C = T, R = void> extends Listing<T> {
  create(body: C): Promise<R>;
  update(item: T): Promise<void>;
}

/** Path segments of a registry URL: each part encoded, the slashes of an image name kept. */
function registryPath(repository: string, image: string, rest: string): string {
  const name = [repository, ...image.split('/')].map(encodeURIComponent).join('/');
  return `/v2/${name}/${rest}`;
}

/** A tag or digest as a path segment (the ':' of a digest stays readable, as Docker clients send it). */
function referenceSegment(reference: string): string {
  return encodeURIComponent(reference).replace(/%3A/gi, ':');
}

/**
 * The one HTTP client of the UI: REST API under /service/rest/v1 and the registry API on the main port.
 * Credentials go in an explicit Authorization header with `credentials: 'omit'`, so a 401 never makes
 * the browser open its own Basic-auth dialog.
 */
export class ApiClient {
  private readonly fetchImpl: typeof fetch;
  private readonly baseUrl: string;

  /** The collections: list, create, update and delete by key. */
  readonly users = this.collection<UserJson, CreateUserJson>('security/users', (u) => u.userId);
  readonly roles = this.collection<RoleJson>('security/roles', (r) => r.id);
  readonly cleanupPolicies = this.collection<CleanupPolicyJson>('cleanup-policies', (p) => p.name);
  /** The answer to a create holds the secret, shown once; tokens are not updated. */
  readonly apiTokens = this.collection<ApiTokenJson, CreateApiTokenJson, CreatedApiTokenJson>('security/api-tokens', (t) => t.id);

  constructor(private readonly options: ApiClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.baseUrl = options.baseUrl ?? '';
  }

  get username(): string | null {
    return this.options.credentials?.username ?? null;
  }

  // --- repositories --------------------------------------------------------------------------

  listRepositories(): Promise<RepositorySummary[]> {
    return this.json('GET', `${REST}/repositories`);
  }

  getRepository<T extends RepositoryType>(type: T, name: string): Promise<RepositoryViewByType[T]> {
    return this.json('GET', `${REST}/repositories/docker/${type}/${encodeURIComponent(name)}`);
  }

  async createRepository<T extends RepositoryType>(type: T, body: RepositoryJsonByType[T]): Promise<void> {
    await this.send('POST', `${REST}/repositories/docker/${type}`, { body });
  }

  async updateRepository<T extends RepositoryType>(type: T, name: string, body: RepositoryJsonByType[T]): Promise<void> {
    await this.send('PUT', `${REST}/repositories/docker/${type}/${encodeURIComponent(name)}`, { body });
  }

  async deleteRepository(name: string): Promise<void> {
    await this.send('DELETE', `${REST}/repositories/${encodeURIComponent(name)}`);
  }

  /** Wharf: every repository's state and stored bytes in one request. */
  listRepositoryStatus(): Promise<RepositoryStatusSummaryJson[]> {
    return this.json('GET', `${REST}/repositoryStatus`);
  }

  repositoryStatus(name: string): Promise<RepositoryStatusJson> {
    return this.json('GET', `${REST}/repositories/${encodeURIComponent(name)}/status`);
  }

  async invalidateCache(name: string): Promise<void> {
    await this.send('POST', `${REST}/repositories/${encodeURIComponent(name)}/invalidate-cache`);
  }

  // --- components (browse) -------------------------------------------------------------------

  listComponents(repository: string, continuationToken?: string | null): Promise<PageJson<ComponentJson>> {
    const query = new URLSearchParams({ repository });
    if (continuationToken) query.set('continuationToken', continuationToken);
    return this.json('GET', `${REST}/components?${query.toString()}`);
  }

  /** Deletes a tag as a component: its manifest goes with it unless another tag (or a kept index) needs it. */
  async deleteComponent(repository: string, image: string, tag: string): Promise<void> {
    await this.send('DELETE', `${REST}/components/${componentId(repository, image, tag)}`);
  }

  // --- registry API on the main port ---------------------------------------------------------

  async getManifest(repository: string, image: string, reference: string): Promise<ManifestDocument> {
    const res = await this.send('GET', registryPath(repository, image, `manifests/${referenceSegment(reference)}`), { accept: MANIFEST_ACCEPT });
    const text = await res.text();
    const digest = res.headers.get('Docker-Content-Digest') ?? (reference.includes(':') ? reference : '');
    try {
      return parseManifest(text, res.headers.get('Content-Type'), digest);
    } catch (err) {
      throw new ApiError(res.status, `${image}:${reference}: ${(err as Error).message}`);
    }
  }

  /** The image configuration blob (small JSON): platform, entrypoint, env, labels, history. */
  async getImageConfig(repository: string, image: string, digest: string): Promise<ImageConfig> {
    const res = await this.send('GET', registryPath(repository, image, `blobs/${referenceSegment(digest)}`), { accept: 'application/json, */*' });
    const length = Number(res.headers.get('Content-Length') ?? '0');
    if (length > 8 * 1024 * 1024) throw new ApiError(res.status, `the config blob is ${length} bytes: too large to show`);
    try {
      return JSON.parse(await res.text()) as ImageConfig;
    } catch {
      throw new ApiError(res.status, 'the config blob is not JSON');
    }
  }

  /** A tag reference deletes (hosted) or evicts (proxy) the tag; a digest deletes the manifest and every tag on it. */
  async deleteManifest(repository: string, image: string, reference: string): Promise<void> {
    await this.send('DELETE', registryPath(repository, image, `manifests/${referenceSegment(reference)}`));
  }

  // --- storage lifecycle ---------------------------------------------------------------------

  /** What a stored policy, or criteria not saved yet, would remove from a repository now (nothing is removed). */
  previewCleanup(request: CleanupPreviewRequestJson): Promise<CleanupPreviewJson> {
    return this.json('POST', `${REST}/cleanup-policies/preview`, { body: request });
  }

  async listTasks(): Promise<TaskJson[]> {
    return (await this.json<PageJson<TaskJson>>('GET', `${REST}/tasks`)).items;
  }

  async runTask(id: string): Promise<void> {
    await this.send('POST', `${REST}/tasks/${encodeURIComponent(id)}/run`);
  }

  async stopTask(id: string): Promise<void> {
    await this.send('POST', `${REST}/tasks/${encodeURIComponent(id)}/stop`);
  }

  listBlobStores(): Promise<BlobStoreSummaryJson[]> {
    return this.json('GET', `${REST}/blobstores`);
  }

  blobStoreUsageHistory(name: string, days: number): Promise<BlobStoreUsageSampleJson[]> {
    return this.json('GET', `${REST}/blobstores/${encodeURIComponent(name)}/usage-history?days=${days}`);
  }

  /** Bytes an image holds in total, and those no other manifest shares (what deleting it would free). */
  imageSize(repository: string, image: string, digest: string): Promise<ImageSizeJson> {
    const query = new URLSearchParams({ image, digest });
    return this.json('GET', `${REST}/repositories/${encodeURIComponent(repository)}/image-size?${query.toString()}`);
  }

  // --- security ------------------------------------------------------------------------------

  /** The audit log, newest first; `before`: the `nextBefore` of the previous page. */
  listAudit(limit: number, before?: number): Promise<AuditPageJson> {
    return this.json('GET', `${REST}/audit?limit=${limit}${before === undefined ? '' : `&before=${before}`}`);
  }

  getAnonymous(): Promise<AnonymousSettingsJson> {
    return this.json('GET', `${REST}/security/anonymous`);
  }

  setAnonymous(settings: AnonymousSettingsJson): Promise<AnonymousSettingsJson | undefined> {
    return this.json('PUT', `${REST}/security/anonymous`, { body: settings });
  }

  /** As in Nexus, the new password is the plain-text body. */
  async changePassword(userId: string, password: string): Promise<void> {
    await this.send('PUT', `${REST}/security/users/${encodeURIComponent(userId)}/change-password`, { text: password });
  }

  listPrivileges(): Promise<PrivilegeJson[]> {
    return this.json('GET', `${REST}/security/privileges`);
  }

  getActiveRealms(): Promise<string[]> {
    return this.json('GET', `${REST}/security/realms/active`);
  }

  getAvailableRealms(): Promise<RealmJson[]> {
    return this.json('GET', `${REST}/security/realms/available`);
  }

  async setActiveRealms(realms: string[]): Promise<void> {
    await this.send('PUT', `${REST}/security/realms/active`, { body: realms });
  }

  private collection<T, C = T, R = void>(path: string, keyOf: (item: T) => string): Collection<T, C, R> {
    const base = `${REST}/${path}`;
    const one = (item: T) => `${base}/${encodeURIComponent(keyOf(item))}`;
    return {
      path,
      endpoint: `GET ${base}`,
      keyOf,
      list: () => this.json('GET', base),
      create: (body) => this.json('POST', base, { body }),
      update: async (item) => {
        await this.send('PUT', one(item), { body: item });
      },
      remove: async (item) => {
        await this.send('DELETE', one(item));
      },
    };
  }

  // --- transport -----------------------------------------------------------------------------

  private async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, { accept: 'application/json', ...options });
    const text = await res.text();
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, `${method} ${path}: the answer is not JSON`);
    }
  }

  private async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { 'X-Requested-With': 'XMLHttpRequest' };
    if (options.accept) headers.Accept = options.accept;
    if (this.options.credentials) headers.Authorization = this.options.credentials.authorization;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    } else if (options.text !== undefined) {
      headers['Content-Type'] = 'text/plain';
      body = options.text;
    }
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + path, { method, headers, body, credentials: 'omit', cache: 'no-store' });
    } catch (err) {
      throw new ApiError(0, `the server did not answer (${(err as Error).message})`);
    }
    if (res.ok) return res;
    const error = await this.errorOf(res, method, path);
    if (error.status === 401) this.options.onUnauthorized?.(error);
    throw error;
  }

  private async errorOf(res: Response, method: string, path: string): Promise<ApiError> {
    const retryAfter = parseRetryAfter(res.headers.get('Retry-After'));
    let text = '';
    try {
      text = await res.text();
    } catch {
      // the body is optional
    }
    let body: unknown = text;
    if (text && /json/i.test(res.headers.get('Content-Type') ?? 'json')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const fallback = `${method} ${path.split('?')[0]} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    return errorFromBody(res.status, body, retryAfter, fallback);
  }
}
