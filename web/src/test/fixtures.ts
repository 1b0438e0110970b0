import type { CleanupPolicyJson, RepositorySummary } from '@wharf/api-types';
import { vi } from 'vitest';
import { ApiError } from '../api/errors';

export function summary(name: string, type: RepositorySummary['type'], httpPort: number | null = null): RepositorySummary {
  return { name, format: 'docker', type, url: `http://wharf.example:8081/repository/${name}`, attributes: { docker: { httpPort, httpsPort: null } } };
}

export const REPOSITORIES: RepositorySummary[] = [summary('docker-hosted', 'hosted', 8182), summary('docker-hub', 'proxy'), summary('ghcr', 'proxy', 8183)];

export function cleanupPolicy(name: string, notes = ''): CleanupPolicyJson {
  return { name, notes, format: 'docker', criteriaLastBlobUpdated: null, criteriaLastDownloaded: 30, criteriaAssetRegex: null, retain: null, criteriaUntagged: false };
}

/** What the repository forms read: the cleanup policies they offer. */
export const FORM_ROUTES = { 'GET /service/rest/v1/cleanup-policies': { json: [cleanupPolicy('stale-30d', 'Images nobody pulled for 30 days'), cleanupPolicy('pr-tags')] } };

/** A form's `save` that the server refuses: a 400 with these errors (`{ id: '*' }`: an error of no field). */
export function refusedSave(...fields: { id: string; message: string }[]) {
  return vi.fn().mockRejectedValue(new ApiError(400, 'invalid', fields));
}
