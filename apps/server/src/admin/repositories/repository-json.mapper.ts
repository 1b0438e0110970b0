import type { GroupRepositoryView, HostedRepositoryJson, HostedRepositoryView, ProxyRepositoryView, RepositorySummary } from '@wharf/api-types';
import type { DockerSettings, GroupConfig, HostedConfig, HttpConnectionSettings, ProxyConfig, RepositoryConfig } from '@wharf/registry-core';
import type { DockerDto, RepositoryBaseDto } from './repository-base.dto';
import { InvalidRepositoryError } from './repositories.service';
import type { GroupRepositoryDto } from './group-repository.dto';
import type { ProxyRepositoryDto } from './proxy-repository.dto';
import type { HostedRepositoryDto } from './hosted-repository.dto';

function dockerFromDto(docker: DockerDto): DockerSettings {
  return {
    v1Enabled: false,
    forceBasicAuth: docker.forceBasicAuth,
    httpPort: docker.httpPort ?? null,
    httpsPort: docker.httpsPort ?? null,
    subdomain: docker.subdomain ?? null,
    pathEnabled: docker.pathEnabled ?? true,
  };
}

/** A body sent back from a GET carries `type`: it must be the endpoint's. */
function checkType(dto: RepositoryBaseDto, type: RepositoryConfig['type']): void {
  if (dto.type !== undefined && dto.type !== type) {
    throw new InvalidRepositoryError(`type "${dto.type}" in the body differs from this endpoint's "${type}"`);
  }
}

export function hostedFromDto(dto: HostedRepositoryDto): HostedConfig {
  checkType(dto, 'hosted');
  return {
    name: dto.name,
    type: 'hosted',
    online: dto.online,
    storage: {
      blobStoreName: dto.storage.blobStoreName,
      strictContentTypeValidation: dto.storage.strictContentTypeValidation,
      writePolicy: dto.storage.writePolicy,
      latestPolicy: dto.storage.latestPolicy ?? false,
    },
    cleanup: { policyNames: dto.cleanup?.policyNames ?? [] },
    docker: dockerFromDto(dto.docker),
  };
}

export function hostedToJson(config: HostedConfig, url: string): HostedRepositoryView {
  const json: HostedRepositoryJson = {
    name: config.name,
    online: config.online,
    storage: { ...config.storage },
    cleanup: { policyNames: [...config.cleanup.policyNames] },
    docker: { ...config.docker },
  };
  return { ...json, format: 'docker', type: 'hosted', url };
}

/** A list item, as Nexus lists them: proxies show their remote URL under attributes.proxy. */
export function summaryOf(config: RepositoryConfig, url: string): RepositorySummary {
  return {
    name: config.name,
    format: 'docker',
    type: config.type,
    url,
    attributes: {
      docker: { httpPort: config.docker.httpPort, httpsPort: config.docker.httpsPort },
      ...(config.type === 'proxy' ? { proxy: { remoteUrl: config.proxy.remoteUrl } } : {}),
      ...(config.type === 'group' ? { group: { memberNames: [...config.group.memberNames] } } : {}),
    },
  };
}

/** The full view of any repository (GET by name, /repositorySettings). */
export function viewOf(config: RepositoryConfig, url: string): HostedRepositoryView | ProxyRepositoryView | GroupRepositoryView {
  switch (config.type) {
    case 'hosted':
      return hostedToJson(config, url);
    case 'proxy':
      return proxyToJson(config, url);
    case 'group':
      return groupToJson(config, url);
  }
}

/** `previous` supplies the stored password when an update leaves it out (credentials are write-only). */
export function proxyFromDto(dto: ProxyRepositoryDto, previous?: ProxyConfig): ProxyConfig {
  checkType(dto, 'proxy');
  const auth = dto.httpClient.authentication;
  const keptPassword =
    previous?.httpClient.authentication && auth && previous.httpClient.authentication.username === auth.username
      ? previous.httpClient.authentication.password
      : undefined;
  return {
    name: dto.name,
    type: 'proxy',
    online: dto.online,
    storage: {
      blobStoreName: dto.storage.blobStoreName,
      strictContentTypeValidation: dto.storage.strictContentTypeValidation,
      writePolicy: 'DENY',
      latestPolicy: false,
    },
    cleanup: { policyNames: dto.cleanup?.policyNames ?? [] },
    proxy: {
      remoteUrl: dto.proxy.remoteUrl.replace(/\/+$/, ''),
      contentMaxAge: dto.proxy.contentMaxAge,
      metadataMaxAge: dto.proxy.metadataMaxAge,
      tagMaxAge: (dto.proxy.tagMaxAge ?? []).map((t) => ({ pattern: t.pattern, maxAge: t.maxAge })),
      maxCacheSizeBytes: dto.proxy.maxCacheSizeBytes ?? null,
    },
    negativeCache: { enabled: dto.negativeCache.enabled, timeToLive: dto.negativeCache.timeToLive },
    httpClient: {
      blocked: dto.httpClient.blocked,
      autoBlock: dto.httpClient.autoBlock,
      authentication: auth ? { type: 'username', username: auth.username, password: auth.password ?? keptPassword ?? '' } : null,
      // Left out (as the web UI does), the stored settings stay; null clears them.
      ...connectionOf(dto.httpClient.connection, previous?.httpClient.connection),
    },
    docker: dockerFromDto(dto.docker),
    dockerProxy: { indexType: dto.dockerProxy?.indexType ?? 'REGISTRY', indexUrl: dto.dockerProxy?.indexUrl ?? null },
  };
}

function connectionOf(sent: HttpConnectionSettings | null | undefined, stored: HttpConnectionSettings | null | undefined): { connection?: HttpConnectionSettings } {
  const connection = sent === undefined ? stored : sent;
  return connection ? { connection: { ...connection } } : {};
}

/** The GET shape: never the upstream password. */
export function proxyToJson(config: ProxyConfig, url: string): ProxyRepositoryView {
  const auth = config.httpClient.authentication;
  return {
    name: config.name,
    online: config.online,
    storage: { blobStoreName: config.storage.blobStoreName, strictContentTypeValidation: config.storage.strictContentTypeValidation },
    cleanup: { policyNames: [...config.cleanup.policyNames] },
    proxy: { ...config.proxy, tagMaxAge: config.proxy.tagMaxAge.map((t) => ({ ...t })), maxCacheSizeBytes: config.proxy.maxCacheSizeBytes ?? null },
    negativeCache: { ...config.negativeCache },
    httpClient: {
      blocked: config.httpClient.blocked,
      autoBlock: config.httpClient.autoBlock,
      authentication: auth ? { type: 'username', username: auth.username } : null,
      connection: config.httpClient.connection ? { ...config.httpClient.connection } : null,
    },
    routingRuleName: null,
    docker: { ...config.docker },
    dockerProxy: { ...config.dockerProxy, cacheForeignLayers: false, foreignLayerUrlWhitelist: [] },
    format: 'docker',
    type: 'proxy',
    url,
  };
}

export function groupFromDto(dto: GroupRepositoryDto): GroupConfig {
  checkType(dto, 'group');
  return {
    name: dto.name,
    type: 'group',
    online: dto.online,
    storage: {
      blobStoreName: dto.storage.blobStoreName,
      strictContentTypeValidation: dto.storage.strictContentTypeValidation,
      writePolicy: 'ALLOW',
      latestPolicy: false,
    },
    cleanup: { policyNames: dto.cleanup?.policyNames ?? [] },
    group: { memberNames: [...dto.group.memberNames], writableMember: dto.group.writableMember ?? null },
    docker: dockerFromDto(dto.docker),
  };
}

export function groupToJson(config: GroupConfig, url: string): GroupRepositoryView {
  return {
    name: config.name,
    online: config.online,
    storage: { blobStoreName: config.storage.blobStoreName, strictContentTypeValidation: config.storage.strictContentTypeValidation },
    cleanup: { policyNames: [...config.cleanup.policyNames] },
    group: { memberNames: [...config.group.memberNames], writableMember: config.group.writableMember },
    docker: { ...config.docker },
    format: 'docker',
    type: 'group',
    url,
  };
}
