/** Stub repository configurations, one of each type (override what a test is about, keep the rest sensible). */
import type { GroupConfig, HostedConfig, ProxyConfig, RepositoryConfigBase, StorageSettings } from '../src/repository-config';

/** Online, no cleanup policy, the default blob store, a connector only on `httpPort`; `storage` changes parts of the storage settings. */
function common(name: string, httpPort: number | null, storage: Partial<StorageSettings> = {}): Omit<RepositoryConfigBase, 'type'> {
  return {
    name,
    online: true,
    cleanup: { policyNames: [] },
    storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW', latestPolicy: false, ...storage },
    docker: { v1Enabled: false, forceBasicAuth: true, httpPort, httpsPort: null, subdomain: null, pathEnabled: true },
  };
}

export function hostedConfig(
  name = 'docker-hosted',
  overrides: Partial<Omit<HostedConfig, 'storage' | 'docker' | 'type'>> & { storage?: Partial<StorageSettings>; httpPort?: number | null } = {},
): HostedConfig {
  const { storage, httpPort = null, ...rest } = overrides;
  return { ...common(name, httpPort, storage), type: 'hosted', ...rest };
}

export function proxyConfig(name = 'docker-proxy', httpPort: number | null = null): ProxyConfig {
  return {
    ...common(name, httpPort, { writePolicy: 'DENY' }),
    type: 'proxy',
    cleanup: { policyNames: ['weekly'] },
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
  return { ...common(name, httpPort), type: 'group', group: { memberNames: members, writableMember: members[0] ?? null } };
}
