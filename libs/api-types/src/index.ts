/** Plain types of Wharf's REST API (Nexus-shaped), shared by the server and the web UI. */

export type RepositoryType = 'hosted' | 'proxy' | 'group';
export type WritePolicy = 'ALLOW' | 'ALLOW_ONCE' | 'DENY';

export interface RepositorySummary {
  name: string;
  format: 'docker';
  type: RepositoryType;
  url: string;
  attributes: Record<string, unknown>;
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
  proxy: { remoteUrl: string; contentMaxAge: number; metadataMaxAge: number; tagMaxAge?: { pattern: string; maxAge: number }[] };
  negativeCache: { enabled: boolean; timeToLive: number };
  /** `password` is accepted on create/update and never returned. */
  httpClient: { blocked: boolean; autoBlock: boolean; authentication: { type: 'username'; username: string; password?: string } | null };
  docker: DockerJson;
  dockerProxy: { indexType: 'HUB' | 'REGISTRY' | 'CUSTOM'; indexUrl: string | null };
}

export type ProxyRepositoryView = ProxyRepositoryJson & { format: 'docker'; type: 'proxy'; url: string };

export interface ProxyStatusJson {
  name: string;
  type: 'proxy';
  online: boolean;
  upstream: {
    remoteUrl: string;
    reachable: boolean | null;
    lastSuccessAt: string | null;
    lastFailure: { at: string; message: string } | null;
    blocked: boolean;
    autoBlocked: boolean;
    autoBlockedUntil: string | null;
  };
  rateLimit: { limit: number | null; remaining: number | null; source: string | null; observedAt: string } | null;
  counters: {
    cacheHits: number;
    cacheMisses: number;
    bytesFromCache: number;
    bytesFromUpstream: number;
    staleServed: number;
    upstreamFailures: number;
    upstreamRequests: Record<string, number>;
  };
  fillsInFlight: number;
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
