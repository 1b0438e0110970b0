/** Plain types of Wharf's REST API (Nexus-shaped), shared by the server and the web UI, with the input rules both check. */

export * from './ids';
export * from './oci';
export * from './rules';

export type RepositoryType = 'hosted' | 'proxy' | 'group';
export type WritePolicy = 'ALLOW' | 'ALLOW_ONCE' | 'DENY';

export interface RepositorySummary {
  name: string;
  format: 'docker';
  type: RepositoryType;
  url: string;
  /** `docker.httpPort` and `docker.httpsPort` always; `proxy.remoteUrl` for proxies and `group.memberNames` for groups, as Nexus lists them. */
  attributes: {
    docker?: { httpPort: number | null; httpsPort: number | null };
    proxy?: { remoteUrl: string };
    group?: { memberNames: string[] };
    [key: string]: unknown;
  };
}

export interface StorageJson {
  blobStoreName: string;
  strictContentTypeValidation: boolean;
  writePolicy?: WritePolicy;
  latestPolicy?: boolean;
}

export interface DockerJson {
  v1Enabled: boolean;
  forceBasicAuth: boolean;
  httpPort: number | null;
  /** An HTTPS connector, with the certificate Wharf was started with (WHARF_TLS_CERTIFICATE); null or absent: none. */
  httpsPort?: number | null;
  subdomain?: string | null;
  pathEnabled?: boolean;
}

export interface HostedRepositoryJson {
  name: string;
  online: boolean;
  storage: StorageJson & { writePolicy: WritePolicy };
  cleanup: { policyNames: string[] } | null;
  docker: DockerJson;
}

/** What GET returns: the create shape plus format, type and url. */
export type HostedRepositoryView = HostedRepositoryJson & { format: 'docker'; type: 'hosted'; url: string };

export interface ValidationErrorJson {
  id: string;
  message: string;
}

export interface AssetJson {
  id: string;
  path: string;
  downloadUrl: string;
  repository: string;
  format: 'docker';
  contentType: string;
  checksum: { sha256?: string; sha512?: string };
  fileSize: number;
  lastModified: string;
  lastDownloaded: string | null;
}

export interface ComponentJson {
  id: string;
  repository: string;
  format: 'docker';
  group: null;
  name: string;
  version: string;
  assets: AssetJson[];
  /**
   * Wharf, only when listing a group (whose components carry their member as `repository`): the member whose
   * `name:version` a pull from the group gets, the first member in the group's order that holds the tag. Equal to
   * `repository`, or the earlier member that shadows this one. (A proxy member's cached tag may still be
   * revalidated upstream on the pull.)
   */
  servedBy?: string;
}

export interface PageJson<T> {
  items: T[];
  continuationToken: string | null;
}

export interface ProxyRepositoryJson {
  name: string;
  online: boolean;
  storage: { blobStoreName: string; strictContentTypeValidation: boolean };
  cleanup: { policyNames: string[] } | null;
  /** `maxCacheSizeBytes` (Wharf): the least recently pulled images are evicted past it; null or absent = no limit. */
  proxy: { remoteUrl: string; contentMaxAge: number; metadataMaxAge: number; tagMaxAge?: { pattern: string; maxAge: number }[]; maxCacheSizeBytes?: number | null };
  negativeCache: { enabled: boolean; timeToLive: number };
  /** `password` is accepted on create/update and never returned. `connection` is Nexus's, stored and returned as given. */
  httpClient: {
    blocked: boolean;
    autoBlock: boolean;
    authentication: { type: 'username'; username: string; password?: string } | null;
    connection?: HttpConnectionJson | null;
  };
  /** Nexus's routing rules do not exist in Wharf: always null. */
  routingRuleName?: null;
  docker: DockerJson;
  /** Foreign layers are not fetched: cacheForeignLayers is false and the whitelist empty (other values are refused). */
  dockerProxy: { indexType: 'HUB' | 'REGISTRY' | 'CUSTOM'; indexUrl: string | null; cacheForeignLayers?: false; foreignLayerUrlWhitelist?: string[] };
}

/** Nexus's `httpClient.connection` of a proxy. */
export interface HttpConnectionJson {
  retries?: number | null;
  userAgentSuffix?: string | null;
  timeout?: number | null;
  enableCircularRedirects?: boolean;
  enableCookies?: boolean;
  useTrustStore?: boolean;
}

export type ProxyRepositoryView = ProxyRepositoryJson & { format: 'docker'; type: 'proxy'; url: string };

/** A proxy's upstream as this process last saw it. */
export interface UpstreamStatusJson {
  remoteUrl: string;
  /** null: not asked yet. */
  reachable: boolean | null;
  lastSuccessAt: string | null;
  lastFailure: { at: string; message: string } | null;
  /** Blocked by its settings (`httpClient.blocked`). */
  blocked: boolean;
  /** Blocked for a while after failures (`httpClient.autoBlock`). */
  autoBlocked: boolean;
  autoBlockedUntil: string | null;
}

export interface ProxyStatusJson {
  name: string;
  type: 'proxy';
  online: boolean;
  upstream: UpstreamStatusJson;
  rateLimit: { limit: number | null; remaining: number | null; source: string | null; observedAt: string } | null;
  counters: ProxyCountersJson;
  fillsInFlight: number;
}

/** A proxy's cache traffic since the process started (`upstreamRequests` by kind of request). */
export interface ProxyCountersJson {
  cacheHits: number;
  cacheMisses: number;
  bytesFromCache: number;
  bytesFromUpstream: number;
  staleServed: number;
  upstreamFailures: number;
  upstreamRequests: Record<string, number>;
}

export interface GroupRepositoryJson {
  name: string;
  online: boolean;
  storage: { blobStoreName: string; strictContentTypeValidation: boolean };
  cleanup: { policyNames: string[] } | null;
  group: { memberNames: string[]; writableMember: string | null };
  docker: DockerJson;
}

export type GroupRepositoryView = GroupRepositoryJson & { format: 'docker'; type: 'group'; url: string };

/** What `GET /service/rest/v1/repositories/{name}/status` answers for hosted and group repositories. */
export interface RepositoryBasicStatusJson {
  name: string;
  /** A proxy answers this shape only while it is not open (offline). */
  type: RepositoryType;
  online: boolean;
}

export type RepositoryStatusJson = ProxyStatusJson | RepositoryBasicStatusJson;

/**
 * Wharf: `GET /service/rest/v1/repositoryStatus` items, one per repository the caller may browse (the list's
 * order): its state and what it stores, for the repository list in one request.
 */
export interface RepositoryStatusSummaryJson {
  name: string;
  type: RepositoryType;
  online: boolean;
  /** Proxies: the upstream's health as this process last saw it; null for hosted and group repositories. */
  upstream: UpstreamStatusJson | null;
  /**
   * The distinct blobs and manifests it stores, each digest once (a blob shared with another repository counts in
   * both). A group stores nothing itself: its figures are what the repositories it reaches store together.
   */
  storage: { blobCount: number; totalSizeInBytes: number };
}

/** Error body of the REST API for anything but per-field validation (which is `ValidationErrorJson[]`). */
export interface RestErrorJson {
  status: number;
  message: string | string[];
}

/** `GET|PUT /service/rest/v1/security/anonymous`. */
export interface AnonymousSettingsJson {
  enabled: boolean;
  userId: string;
  realmName: string;
}

export type UserStatus = 'active' | 'disabled';

/** `GET /service/rest/v1/security/users` items (Nexus's ApiUser). */
export interface UserJson {
  userId: string;
  firstName: string;
  lastName: string;
  emailAddress: string;
  source: string;
  status: UserStatus;
  readOnly: boolean;
  roles: string[];
  externalRoles: string[];
}

/** `POST /service/rest/v1/security/users` body; `PUT /users/{id}` takes the UserJson shape without a password. */
export interface CreateUserJson {
  userId: string;
  firstName: string;
  lastName: string;
  emailAddress: string;
  password: string;
  status: UserStatus;
  roles: string[];
}

/** `GET|POST /service/rest/v1/security/roles`, `PUT|DELETE /roles/{id}` (Nexus's RoleXO). */
export interface RoleJson {
  id: string;
  source?: string;
  /** Built-in roles (nx-admin, nx-anonymous) cannot be changed or deleted. */
  readOnly?: boolean;
  name: string;
  description: string;
  privileges: string[];
  roles: string[];
}

/** `GET /service/rest/v1/security/privileges` items: what a role can grant. */
export interface PrivilegeJson {
  type: 'wildcard' | 'application' | 'repository-view';
  name: string;
  description: string;
  readOnly: boolean;
  pattern?: string;
  /** `application` privileges: what they cover (`metrics`). */
  domain?: string;
  format?: string;
  repository?: string;
  actions?: string[];
}

/** `GET /service/rest/v1/security/realms/available` items. */
export interface RealmJson {
  id: string;
  name: string;
}

/** `GET /service/rest/v1/security/api-tokens` items: never the secret. */
export interface ApiTokenJson {
  id: string;
  name: string;
  userId?: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** `POST /service/rest/v1/security/api-tokens` body. */
export interface CreateApiTokenJson {
  name: string;
  /** ISO date-time, or null for a token that does not expire. */
  expiresAt: string | null;
}

/** `POST /service/rest/v1/security/api-tokens` answer: the secret is returned this once. */
export type CreatedApiTokenJson = ApiTokenJson & { token: string };

/** One event of `GET /service/rest/v1/audit` (security changes, repository changes, deletions, failed logins). */
export interface AuditEventJson {
  id: number;
  /** ISO date-time. */
  timestamp: string;
  /** The user (or API token owner) who acted; null for events without one. */
  actor: string | null;
  /** The caller's address. */
  address: string | null;
  /** e.g. `repository.create`, `security.user.update`, `component.delete`. */
  action: string;
  /** What was acted on: a repository, user, role, token id... */
  target: string | null;
  details: Record<string, unknown>;
}

/** `GET /service/rest/v1/audit?limit=&before=`: newest first; pass `nextBefore` as `before` for the next page (null: no more). */
export interface AuditPageJson {
  items: AuditEventJson[];
  nextBefore: number | null;
}

/** GET /service/rest/v1/blobstores/s3/{name} (Nexus's S3 blob store model; the secret key is never returned). */
export interface S3BlobStoreJson {
  name: string;
  type: 's3';
  softQuota: null;
  bucketConfiguration: {
    bucket: { name: string; region: string; prefix: string; expiration: number };
    bucketSecurity: { accessKeyId: string } | null;
    advancedBucketConnection: { endpoint: string | null; forcePathStyle: boolean; redirect: boolean } | null;
  };
}

/** A cleanup policy (Nexus's /service/rest/v1/cleanup-policies shape, plus `retain` and `criteriaUntagged`). */
export interface CleanupPolicyJson {
  name: string;
  notes: string;
  format: 'docker';
  /** Days since a tag last moved to new content (untagged manifests: since stored); null = not a criterion. */
  criteriaLastBlobUpdated: number | null;
  /** Days since last pulled (never pulled: since stored); null = not a criterion. */
  criteriaLastDownloaded: number | null;
  /** RE2 regular expression matching all of `image:tag` (untagged: `image@digest`); null = not a criterion. */
  criteriaAssetRegex: string | null;
  /** Keep the N most recently updated tags of each image; null = keep none specially. */
  retain: number | null;
  /** Select manifests no tag keeps instead of tags. */
  criteriaUntagged: boolean;
}

/** `POST /service/rest/v1/cleanup-policies/preview` body: a stored policy by name, or criteria not saved yet. */
export interface CleanupPreviewRequestJson {
  repository: string;
  policyName?: string;
  policy?: Omit<CleanupPolicyJson, 'name' | 'notes' | 'format'> & Partial<Pick<CleanupPolicyJson, 'name' | 'notes' | 'format'>>;
}

export interface CleanupPreviewItemJson {
  image: string;
  /** null: a manifest no tag points at. */
  tag: string | null;
  digest: string;
  lastUpdated: string;
  lastDownloaded: string | null;
}

export interface CleanupPreviewJson {
  repository: string;
  /** What would go (at most 1000 items; `truncated` says when there are more). */
  items: CleanupPreviewItemJson[];
  truncated: boolean;
  /** Tags and manifests removed, images left with nothing, bytes the next collection would then free. */
  totals: { tags: number; manifests: number; images: number; bytes: number };
}

/** When a task runs by itself (times are UTC). */
export type TaskScheduleJson =
  | { type: 'manual' }
  | { type: 'hourly'; minute: number }
  | { type: 'daily'; time: string }
  | { type: 'interval'; minutes: number };

/** A task (Nexus's TaskXO fields, plus Wharf's schedule, properties and the last run's summary). */
export interface TaskJson {
  id: string;
  name: string;
  type: string;
  message: string | null;
  currentState: 'WAITING' | 'RUNNING';
  lastRun: string | null;
  lastRunResult: 'OK' | 'FAILED' | 'STOPPED' | 'INTERRUPTED' | 'RUNNING' | null;
  nextRun: string | null;
  schedule: TaskScheduleJson;
  properties: Record<string, unknown>;
  lastRunDurationMs: number | null;
  lastRunSummary: Record<string, unknown> | null;
}

export interface TaskRunJson {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  result: 'OK' | 'FAILED' | 'STOPPED' | 'INTERRUPTED' | 'RUNNING';
  summary: Record<string, unknown>;
  log: string;
}

export interface SoftQuotaJson {
  type: 'spaceUsedQuota' | 'spaceRemainingQuota';
  /** Bytes. */
  limit: number;
}

/** `GET /service/rest/v1/blobstores` items (Nexus's shape). */
export interface BlobStoreSummaryJson {
  name: string;
  type: 'File' | 'S3';
  unavailable: boolean;
  blobCount: number;
  totalSizeInBytes: number;
  availableSpaceInBytes: number | null;
  softQuota: SoftQuotaJson | null;
  /** Wharf: when the counts were taken. */
  measuredAt: string;
}

export interface BlobStoreQuotaStatusJson {
  isViolation: boolean;
  message: string;
  blobStoreName: string;
}

export interface BlobStoreUsageSampleJson {
  at: string;
  blobCount: number;
  totalBytes: number;
  availableBytes: number | null;
}

/** `GET|PUT /service/rest/v1/blobstores/file/{name}` (the built-in store: only its soft quota can change). */
export interface FileBlobStoreJson {
  name: string;
  path: string;
  softQuota: SoftQuotaJson | null;
}

/** `GET /service/rest/v1/repositories/{name}/image-size?image=&digest=` */
export interface ImageSizeJson {
  /** The manifest, its child manifests and referrers, and every blob they reference. */
  totalBytes: number;
  /** What no other manifest (in any repository) shares: what deleting the image would free. */
  uniqueBytes: number;
}
