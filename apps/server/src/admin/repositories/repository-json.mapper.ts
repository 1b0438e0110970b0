import type { GroupRepositoryView, HostedRepositoryJson, HostedRepositoryView, ProxyRepositoryView, RepositorySummary } from '@wharf/api-types';
import type { DockerSettings, GroupConfig, HostedConfig, ProxyConfig, RepositoryConfig } from '@wharf/registry-core';
import type { DockerDto } from './repository-base.dto';
import type { GroupRepositoryDto } from './group-repository.dto';
import type { ProxyRepositoryDto } from './proxy-repository.dto';
import type { HostedRepositoryDto } from './hosted-repository.dto';

function dockerFromDto(docker: DockerDto): DockerSettings {
  return {
    v1Enabled: false,
    forceBasicAuth: docker.forceBasicAuth,
    httpPort: docker.httpPort ?? null,
    httpsPort: null,
    subdomain: docker.subdomain ?? null,
    pathEnabled: docker.pathEnabled ?? true,
  };
}

export function hostedFromDto(dto: HostedRepositoryDto): HostedConfig {
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

export function summaryOf(config: RepositoryConfig, url: string): RepositorySummary {
  return {
    name: config.name,
    format: 'docker',
    type: config.type,
    url,
    attributes: { docker: { httpPort: config.docker.httpPort } },
  };
}

/** `previous` supplies the stored password when an update leaves it out (credentials are write-only). */
export function proxyFromDto(dto: ProxyRepositoryDto, previous?: ProxyConfig): ProxyConfig {
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
    },
    negativeCache: { enabled: dto.negativeCache.enabled, timeToLive: dto.negativeCache.timeToLive },
    httpClient: {
      blocked: dto.httpClient.blocked,
      autoBlock: dto.httpClient.autoBlock,
      authentication: auth ? { type: 'username', username: auth.username, password: auth.password ?? keptPassword ?? '' } : null,
    },
    docker: dockerFromDto(dto.docker),
    dockerProxy: { indexType: dto.dockerProxy?.indexType ?? 'REGISTRY', indexUrl: dto.dockerProxy?.indexUrl ?? null },
  };
}

/** The GET shape: never the upstream password. */
export function proxyToJson(config: ProxyConfig, url: string): ProxyRepositoryView {
  const auth = config.httpClient.authentication;
  return {
    name: config.name,
    online: config.online,
    storage: { blobStoreName: config.storage.blobStoreName, strictContentTypeValidation: config.storage.strictContentTypeValidation },
    cleanup: { policyNames: [...config.cleanup.policyNames] },
    proxy: { ...config.proxy, tagMaxAge: config.proxy.tagMaxAge.map((t) => ({ ...t })) },
    negativeCache: { ...config.negativeCache },
    httpClient: {
      blocked: config.httpClient.blocked,
      autoBlock: config.httpClient.autoBlock,
      authentication: auth ? { type: 'username', username: auth.username } : null,
    },
    docker: { ...config.docker },
    dockerProxy: { ...config.dockerProxy },
    format: 'docker',
    type: 'proxy',
    url,
  };
}

export function groupFromDto(dto: GroupRepositoryDto): GroupConfig {
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
