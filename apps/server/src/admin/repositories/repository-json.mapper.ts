import type { HostedRepositoryJson, HostedRepositoryView, RepositorySummary } from '@wharf/api-types';
import type { HostedConfig, RepositoryConfig } from '@wharf/registry-core';
import type { HostedRepositoryDto } from './hosted-repository.dto';

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
    docker: {
      v1Enabled: false,
      forceBasicAuth: dto.docker.forceBasicAuth,
      httpPort: dto.docker.httpPort ?? null,
      httpsPort: null,
      subdomain: dto.docker.subdomain ?? null,
      pathEnabled: dto.docker.pathEnabled ?? true,
    },
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
