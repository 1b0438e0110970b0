import { expect } from 'vitest';
import type { HttpClient, HttpResult } from './http';

export const REPOSITORIES = '/service/rest/v1/repositories';

export interface HostedOptions {
  httpPort?: number | null;
  writePolicy?: 'ALLOW' | 'ALLOW_ONCE' | 'DENY';
  latestPolicy?: boolean;
  online?: boolean;
  /** The blob store (default: 'default'). */
  blobStoreName?: string;
}

/** The body of POST/PUT /service/rest/v1/repositories/docker/hosted, as in the contract. */
export function hostedBody(name: string, options: HostedOptions = {}): Record<string, unknown> {
  return {
    name,
    online: options.online ?? true,
    storage: {
      blobStoreName: options.blobStoreName ?? 'default',
      strictContentTypeValidation: true,
      writePolicy: options.writePolicy ?? 'ALLOW',
      ...(options.latestPolicy !== undefined ? { latestPolicy: options.latestPolicy } : {}),
    },
    cleanup: { policyNames: [] },
    docker: {
      v1Enabled: false,
      forceBasicAuth: true,
      httpPort: options.httpPort ?? null,
      httpsPort: null,
      subdomain: null,
    },
  };
}

export function createHostedRaw(http: HttpClient, body: unknown): Promise<HttpResult> {
  return http.sendJson('POST', `${REPOSITORIES}/docker/hosted`, body);
}

/** Creates a hosted repository through the REST API; asserts 201. */
export async function createHosted(http: HttpClient, name: string, options: HostedOptions = {}): Promise<void> {
  const res = await createHostedRaw(http, hostedBody(name, options));
  expect(res.status, res.text()).toBe(201);
}

export async function updateHosted(http: HttpClient, name: string, options: HostedOptions = {}): Promise<HttpResult> {
  return http.sendJson('PUT', `${REPOSITORIES}/docker/hosted/${name}`, hostedBody(name, options));
}

export function getHosted(http: HttpClient, name: string): Promise<HttpResult> {
  return http.get(`${REPOSITORIES}/docker/hosted/${name}`);
}

export function deleteRepository(http: HttpClient, name: string): Promise<HttpResult> {
  return http.delete(`${REPOSITORIES}/${name}`);
}

/** The `id`s of a REST validation error body (`[{"id","message"}]`). */
export function fieldIds(res: HttpResult): string[] {
  const body = res.json<unknown>();
  expect(Array.isArray(body), `validation body should be an array: ${res.text()}`).toBe(true);
  return (body as { id: string }[]).map((e) => e.id);
}
