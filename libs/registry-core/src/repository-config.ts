/** Domain view of a repository's configuration (the REST JSON is mapped onto this by the server). */
import type { HttpConnectionJson } from '@wharf/api-types';

export type RepositoryType = 'hosted' | 'proxy' | 'group';
export type WritePolicy = 'ALLOW' | 'ALLOW_ONCE' | 'DENY';

export interface DockerSettings {
  v1Enabled: boolean;
  forceBasicAuth: boolean;
  httpPort: number | null;
  httpsPort: number | null;
  subdomain: string | null;
  pathEnabled: boolean;
}

export interface StorageSettings {
  blobStoreName: string;
  strictContentTypeValidation: boolean;
  writePolicy: WritePolicy;
  /** With ALLOW_ONCE: `latest` may still be overwritten. */
  latestPolicy: boolean;
}

export interface RepositoryConfigBase {
  name: string;
  type: RepositoryType;
  online: boolean;
  storage: StorageSettings;
  cleanup: { policyNames: string[] };
  docker: DockerSettings;
}

export interface HostedConfig extends RepositoryConfigBase {
  type: 'hosted';
}

/** Nexus's `httpClient.connection`, as the REST API takes it. */
export type HttpConnectionSettings = HttpConnectionJson;

export interface ProxyConfig extends RepositoryConfigBase {
  type: 'proxy';
  proxy: {
    remoteUrl: string;
    contentMaxAge: number;
    metadataMaxAge: number;
    tagMaxAge: { pattern: string; maxAge: number }[];
    /** Wharf: evict the least recently pulled images once the cache holds more than this (bytes); null = no limit. */
    maxCacheSizeBytes?: number | null;
  };
  negativeCache: { enabled: boolean; timeToLive: number };
  httpClient: {
    blocked: boolean;
    autoBlock: boolean;
    authentication: { type: 'username'; username: string; password: string } | null;
    /** Nexus's connection settings, stored and returned as given (Wharf's client keeps its own timeouts and retries). */
    connection?: HttpConnectionSettings | null;
  };
  dockerProxy: { indexType: 'HUB' | 'REGISTRY' | 'CUSTOM'; indexUrl: string | null };
}

export interface GroupConfig extends RepositoryConfigBase {
  type: 'group';
  group: { memberNames: string[]; writableMember: string | null };
}

export type RepositoryConfig = HostedConfig | ProxyConfig | GroupConfig;
