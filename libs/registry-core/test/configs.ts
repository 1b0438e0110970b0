/** Stub repository configurations (override what a test is about, keep the rest sensible). */
import type { GroupConfig, HostedConfig, ProxyConfig, StorageSettings } from '../src/repository-config';

type DeepPartialStorage = Partial<StorageSettings>;

export function hostedConfig(
  name = 'docker-hosted',
  overrides: Partial<Omit<HostedConfig, 'storage' | 'docker' | 'type'>> & {
    storage?: DeepPartialStorage;
    httpPort?: number | null;
  } = {},
): HostedConfig {
  const { storage, httpPort, ...rest } = overrides;
  return {
    name,
    type: 'hosted',
    online: true,
    cleanup: { policyNames: [] },
    ...rest,
    storage: {
      blobStoreName: 'default',
      strictContentTypeValidation: true,
      writePolicy: 'ALLOW',
      latestPolicy: false,
      ...storage,
    },
    docker: {
      v1Enabled: false,
      forceBasicAuth: true,
      httpPort: httpPort ?? null,
      httpsPort: null,
      subdomain: null,
      pathEnabled: true,
    },
  };
}

export function proxyConfig(name = 'docker-proxy', httpPort: number | null = null): ProxyConfig {
  return {
    name,
    type: 'proxy',
    online: true,
    cleanup: { policyNames: ['weekly'] },
    storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'DENY', latestPolicy: false },
    docker: { v1Enabled: false, forceBasicAuth: true, httpPort, httpsPort: null, subdomain: null, pathEnabled: true },
    proxy: {
      remoteUrl: 'https://registry-1.docker.io',
      contentMaxAge: 1440,
      metadataMaxAge: 1440,
      tagMaxAge: [{ pattern: '^latest$', maxAge: 5 }],
    },
    negativeCache: { enabled: true, timeToLive: 1440 },
    httpClient: {
      blocked: false,
      autoBlock: true,
      authentication: { type: 'username', username: 'robot', password: 's3cret-password' },
    },
    dockerProxy: { indexType: 'HUB', indexUrl: null },
  };
}

export function groupConfig(name = 'docker-group', members: string[] = [], httpPort: number | null = null): GroupConfig {
  return {
    name,
    type: 'group',
    online: true,
    cleanup: { policyNames: [] },
    storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW', latestPolicy: false },
    docker: { v1Enabled: false, forceBasicAuth: true, httpPort, httpsPort: null, subdomain: null, pathEnabled: true },
    group: { memberNames: members, writableMember: members[0] ?? null },
  };
}
