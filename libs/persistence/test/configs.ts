/** Stub repository configurations, one of each type. */
import type { GroupConfig, HostedConfig, ProxyConfig } from '@wharf/registry-core';

const docker = (httpPort: number | null) => ({
  v1Enabled: false,
  forceBasicAuth: true,
  httpPort,
  httpsPort: null,
  subdomain: null,
  pathEnabled: true,
});

export function hosted(name: string, httpPort: number | null = null): HostedConfig {
  return {
    name,
    type: 'hosted',
    online: true,
    cleanup: { policyNames: [] },
    storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW_ONCE', latestPolicy: true },
    docker: docker(httpPort),
  };
}

export function proxy(name: string, httpPort: number | null = null, password = 's3cret-password'): ProxyConfig {
  return {
    name,
    type: 'proxy',
    online: false,
    cleanup: { policyNames: ['weekly', 'monthly'] },
    storage: { blobStoreName: 'default', strictContentTypeValidation: false, writePolicy: 'DENY', latestPolicy: false },
    docker: docker(httpPort),
    proxy: {
      remoteUrl: 'https://registry-1.docker.io',
      contentMaxAge: -1,
      metadataMaxAge: 1440,
      tagMaxAge: [{ pattern: '^latest$', maxAge: 5 }],
    },
    negativeCache: { enabled: true, timeToLive: 1440 },
    httpClient: { blocked: false, autoBlock: true, authentication: { type: 'username', username: 'robot', password } },
    dockerProxy: { indexType: 'HUB', indexUrl: null },
  };
}

export function group(name: string, members: string[], httpPort: number | null = null): GroupConfig {
  return {
    name,
    type: 'group',
    online: true,
    cleanup: { policyNames: [] },
    storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW', latestPolicy: false },
    docker: docker(httpPort),
    group: { memberNames: members, writableMember: members[0] ?? null },
  };
}
