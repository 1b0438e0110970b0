import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT, apiTypeSchemas, generate, render } from '../../../../scripts/lib/openapi-responses';
import { imageManifest } from '@wharf/test-kit';
import { Registry } from '../support/registry';
import { type Schema, type Schemas, incompatibilities, violations } from '../support/openapi-schema';
import { useTestWharf } from '../support/wharf';

const API = '/service/rest/v1';

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  security?: unknown[];
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Schemas };
}

/** The request bodies the web UI and scripts build from @wharf/api-types: DTO (the server's) -> type (theirs). */
const REQUEST_TYPES: Record<string, string> = {
  HostedRepositoryDto: 'HostedRepositoryJson',
  ProxyRepositoryDto: 'ProxyRepositoryJson',
  GroupRepositoryDto: 'GroupRepositoryJson',
  CreateUserDto: 'CreateUserJson',
  UserDto: 'UserJson',
  RoleDto: 'RoleJson',
  CreateApiTokenDto: 'CreateApiTokenJson',
  AnonymousSettingsDto: 'AnonymousSettingsJson',
  S3BlobStoreDto: 'S3BlobStoreJson',
  CleanupPolicyDto: 'CleanupPolicyJson',
  CleanupPreviewDto: 'CleanupPreviewRequestJson',
};

function operations(document: Document): [path: string, method: string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [path, method, op] as [string, string, Operation]));
}

describe('the OpenAPI document of the REST API', () => {
  const wharf = useTestWharf();
  let document: Document;

  beforeAll(async () => {
    const res = await wharf.anonymous.get('/service/rest/swagger.json');
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toMatch(/^application\/json/);
    document = res.json<Document>();
  });

  it('is served anonymously at /service/rest/swagger.json and is a valid OpenAPI 3.0 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.0');
  });

  it('describes every route of the controllers, and only those (response-schemas.json is current)', () => {
    // The generated responses are read from the controllers' TypeScript: regenerating gives the committed file
    // unless a controller's return type or an @wharf/api-types type changed without `npm run openapi:responses`.
    const generated = generate();
    const stale = readFileSync(OUTPUT, 'utf8') !== render(generated);
    expect(stale, 'apps/server/src/openapi/response-schemas.json is stale: run `npm run openapi:responses` and commit it').toBe(false);
    const documented = operations(document).map(([, , op]) => op.operationId).sort();
    expect(documented).toEqual(Object.keys(generated.operations).sort());
    expect(documented).toContain('RepositoriesController.createHosted');
    expect(Object.keys(document.paths)).toContain(`${API}/search`);
    expect(Object.keys(document.paths).some((p) => p.includes('swagger'))).toBe(false);
  });

  it('documents a request body for every DTO the server validates, fitting the type of @wharf/api-types clients send', () => {
    const bodies = new Map<string, Schema>();
    for (const [, , op] of operations(document)) {
      const schema = op.requestBody?.content['application/json']?.schema;
      if (schema?.$ref) bodies.set(schema.$ref.replace('#/components/schemas/', ''), schema);
    }
    expect([...bodies.keys()].filter((dto) => dto.endsWith('Dto')).sort()).toEqual(Object.keys(REQUEST_TYPES).sort());
    const types = apiTypeSchemas(Object.values(REQUEST_TYPES));
    const problems = Object.entries(REQUEST_TYPES).flatMap(([dto, type]) =>
      incompatibilities(types.roots[type]!, types.schemas, bodies.get(dto)!, document.components.schemas).map((p) => `${type} -> ${dto}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it('the drift check fails on a field the server does not take or requires (it can fail)', () => {
    const accepted: Schema = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['a', 'b'], additionalProperties: false };
    const sent: Schema = { type: 'object', properties: { a: { type: 'string', nullable: true }, c: { type: 'boolean' } }, required: ['a'] };
    expect(incompatibilities(sent, {}, accepted, {})).toEqual([
      '$.a: may be null, the server refuses null',
      '$.c: sent, the server does not take it',
      '$.b: required by the server, optional or absent in the type',
    ]);
    expect(violations({ a: 1, d: true }, accepted, {})).toEqual(['$.b: missing', '$.a: integer, documented as string', '$.d: not documented']);
  });

  it('every GET answers what its documented 200 response says (items in every list)', async () => {
    await wharf.http.sendJson('POST', `${API}/repositories/docker/hosted`, {
      name: 'doc-hosted', online: true, storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW' },
      cleanup: null, docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null },
    });
    await wharf.http.sendJson('POST', `${API}/repositories/docker/proxy`, {
      name: 'doc-proxy', online: true, storage: { blobStoreName: 'default', strictContentTypeValidation: true }, cleanup: null,
      proxy: { remoteUrl: 'https://registry.example.org', contentMaxAge: 1440, metadataMaxAge: 1440 },
      negativeCache: { enabled: true, timeToLive: 1440 }, httpClient: { blocked: false, autoBlock: true },
      docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null },
    });
    await wharf.http.sendJson('POST', `${API}/repositories/docker/group`, {
      name: 'doc-group', online: true, storage: { blobStoreName: 'default', strictContentTypeValidation: true },
      group: { memberNames: ['doc-hosted', 'doc-proxy'] }, docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null },
    });
    expect((await wharf.http.sendJson('POST', `${API}/security/api-tokens`, { name: 'doc-token' })).status).toBe(201);
    const image = imageManifest();
    await new Registry(wharf.http).pushImage('doc-hosted/team/app', '1.0', image);
    const queryValues: Record<string, string> = { repository: 'doc-hosted', image: 'team/app', digest: image.digest };
    // Path parameters: an existing item of the kind the path names; paths without one here are left out.
    const valueOf = (path: string, param: string): string | undefined => {
      if (param === 'name' && path.includes('/repositories/')) return path.includes('/docker/proxy/') ? 'doc-proxy' : path.includes('/docker/group/') ? 'doc-group' : 'doc-hosted';
      if (param === 'id' && path.includes('/security/roles/')) return 'nx-admin';
      if (param === 'userId') return 'admin';
      return undefined;
    };
    const checked: string[] = [];
    for (const [path, method, op] of operations(document)) {
      const schema = op.responses['200']?.content?.['application/json']?.schema;
      if (method !== 'get' || !schema) continue;
      if ([...path.matchAll(/\{(\w+)\}/g)].some((m) => valueOf(path, m[1]!) === undefined)) continue;
      const query = (op.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(queryValues[p.name] ?? '')}`);
      const url = path.replace(/\{(\w+)\}/g, (_, p: string) => valueOf(path, p)!) + (query.length > 0 ? `?${query.join('&')}` : '');
      const res = await wharf.http.get(url);
      expect(res.status, url).toBe(200);
      expect(violations(res.json(), schema, document.components.schemas), url).toEqual([]);
      checked.push(url);
    }
    // The proxy's status has a shape of its own.
    const proxyStatus = document.paths[`${API}/repositories/{name}/status`]!.get!.responses['200']!.content!['application/json']!.schema;
    expect(violations((await wharf.http.get(`${API}/repositories/doc-proxy/status`)).json(), proxyStatus, document.components.schemas)).toEqual([]);
    const search = (await wharf.http.get(`${API}/search/assets?repository=doc-hosted`)).json<{ items: unknown[] }>();
    expect(search.items).toHaveLength(1);
    expect(checked).toEqual(expect.arrayContaining([`${API}/repositories`, `${API}/repositories/doc-hosted`, `${API}/repositories/docker/proxy/doc-proxy`, `${API}/repositories/docker/group/doc-group`, `${API}/security/users`, `${API}/security/roles/nx-admin`, `${API}/security/api-tokens`, `${API}/audit`]));
  });

  it('says who may call each operation: anonymous ones have no security requirement', () => {
    const live = document.paths[`${API}/status/live`]!.get!;
    expect(live.security).toEqual([]);
    const users = document.paths[`${API}/security/users`]!.get!;
    expect(users.security).toEqual([{ basic: [] }, { apiToken: [] }]);
    expect(Object.keys(users.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
  });

  it('is browsable: the API browser page and its files are served from the package, without a CDN', async () => {
    const page = await wharf.anonymous.get('/service/rest/swagger-ui');
    expect(page.status).toBe(200);
    expect(page.header('content-type')).toMatch(/^text\/html/);
    expect(page.body.toString()).not.toMatch(/https?:\/\//);
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'wharf-initializer.js']) {
      const res = await wharf.anonymous.get(`/service/rest/swagger-ui/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.body.length, file).toBeGreaterThan(100);
    }
    expect((await wharf.anonymous.get('/service/rest/swagger-ui/package.json')).status).toBe(404);
    expect((await wharf.anonymous.get('/service/rest/swagger-ui/..%2Fpackage.json')).status).toBe(404);
  });
});
