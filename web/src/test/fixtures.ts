import type { RepositorySummary } from '@wharf/api-types';

export function summary(name: string, type: RepositorySummary['type'], httpPort: number | null = null): RepositorySummary {
  return { name, format: 'docker', type, url: `http://wharf.example:8081/repository/${name}`, attributes: { docker: { httpPort, httpsPort: null } } };
}

export const REPOSITORIES: RepositorySummary[] = [summary('docker-hosted', 'hosted', 8182), summary('docker-hub', 'proxy'), summary('ghcr', 'proxy', 8183)];
