import type { INestApplication, Type } from '@nestjs/common';
import { GUARDS_METADATA, HTTP_CODE_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { REST_ACCESS, type RestAccessLevel } from '../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../security/rest-auth/rest-auth.guard';
import { dtoSchema, isDto } from './dto-schema';
import type { OpenApiDocument, OperationObject, SchemaObject } from './openapi-types';
import generated from './response-schemas.json';

// This module loads @nestjs/swagger (megabytes of heap, about a second): it is imported only when the document is
// first asked for (openapi-document.ts), never at start-up.

interface Generated {
  controllers: Record<string, { description?: string }>;
  operations: Record<string, { schema?: SchemaObject; description?: string }>;
  schemas: Record<string, SchemaObject>;
}
const RESPONSES = generated as unknown as Generated;

const JSON_TYPE = 'application/json';

/** The controller of the document and its browser (by name: importing it here would make a cycle). */
const UNDOCUMENTED = 'OpenApiController';

/** Handlers that write their own response (@Res()): what they send, since no return type says it. */
const RAW_RESPONSES: Record<string, OperationObject['responses']> = {
  'HealthController.ready': {
    200: { description: 'every readiness check passed (terminus result: status, info, error, details)', content: { [JSON_TYPE]: { schema: { $ref: '#/components/schemas/ReadinessJson' } } } },
    503: { description: 'a check failed: the same body, naming it under `error`', content: { [JSON_TYPE]: { schema: { $ref: '#/components/schemas/ReadinessJson' } } } },
  },
  'MetricsController.metricsText': {
    200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
  },
};

/** Bodies that are not a DTO: what the handler accepts instead. */
const RAW_BODIES: Record<string, NonNullable<OperationObject['requestBody']>> = {
  'UsersController.changePassword': {
    required: true,
    description: 'the new password, as text/plain (as Nexus takes it) or JSON',
    content: {
      'text/plain': { schema: { type: 'string' } },
      [JSON_TYPE]: { schema: { type: 'object', properties: { password: { type: 'string' } }, required: ['password'] } },
    },
  },
  'RealmsController.update': {
    required: true,
    description: 'the active realms, in order',
    content: { [JSON_TYPE]: { schema: { type: 'array', items: { type: 'string', enum: ['NexusAuthenticatingRealm', 'DockerToken'] } } } },
  },
};

/** Query parameters without which the handler answers 400 (as in Nexus). */
const REQUIRED_QUERY: Record<string, string[]> = {
  'ComponentsController.list': ['repository'],
  'AssetsController.list': ['repository'],
  'ImageSizeController.size': ['image', 'digest'],
};

/** Schemas only the tables above and the error answers use. */
const SHARED_SCHEMAS: Record<string, SchemaObject> = {
  ReadinessJson: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
      info: { type: 'object', additionalProperties: true },
      error: { type: 'object', additionalProperties: true },
      details: { type: 'object', additionalProperties: true },
    },
    required: ['status'],
  },
};

const ACCESS: Record<RestAccessLevel, string> = {
  admin: 'Administrators (nx-all).',
  user: 'Any signed-in user (not anonymous); what they see or change is limited to their own unless they are administrators.',
  browse: 'Callers who may browse: each sees the repositories it may browse; the anonymous user too when anonymous access is on.',
  metrics: 'Administrators, and users (or their API tokens) holding nx-metrics-all.',
};

interface Route {
  controller: Type<unknown>;
  method: string;
}

/**
 * The OpenAPI 3 document of the REST API: paths, parameters and operations scanned from the Nest controllers by
 * @nestjs/swagger; request bodies from the DTOs' validation rules (dto-schema.ts); responses from the controllers'
 * return types (response-schemas.json, generated from the TypeScript); who may call each operation from its guard.
 */
export function buildDocument(app: INestApplication, version: string): OpenApiDocument {
  const config = new DocumentBuilder()
    .setTitle('Wharf REST API')
    .setDescription(
      'The Nexus-shaped REST API of Wharf (`/service/rest/v1/...`). Authenticate with HTTP Basic (a local user) or ' +
        '`Authorization: Bearer <API token>`. The Docker Registry HTTP API v2 (`/v2/...`) is not described here: it is the ' +
        'OCI distribution specification.',
    )
    .setVersion(version)
    .addBasicAuth({ type: 'http', scheme: 'basic', description: 'a local user and its password' }, 'basic')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API token (POST /service/rest/v1/security/api-tokens)' }, 'apiToken')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller}.${method}`,
  }) as unknown as OpenApiDocument;
  const routes = routesOf(app);
  const schemas: Record<string, SchemaObject> = { ...SHARED_SCHEMAS, ...RESPONSES.schemas };
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const route = routes.get(operation.operationId ?? '');
      if (route?.controller.name === UNDOCUMENTED) delete operations[method]; // the document does not describe itself
      else if (route) complete(path, operation, route, schemas);
    }
    if (Object.keys(operations).length === 0) delete document.paths[path];
  }
  document.components = { ...document.components, schemas: sortedKeys(schemas) };
  document.tags = Object.entries(RESPONSES.controllers)
    .filter(([, c]) => c.description)
    .map(([name, c]) => ({ name: tagOf(name), description: c.description }));
  return document;
}

/** Every route method of every controller, by operation id (`Controller.method`). */
function routesOf(app: INestApplication): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown>;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        if (method !== 'constructor') routes.set(`${controller.name}.${method}`, { controller, method });
      }
    }
  }
  return routes;
}

function complete(path: string, operation: OperationObject, route: Route, schemas: Record<string, SchemaObject>): void {
  const id = `${route.controller.name}.${route.method}`;
  const handler = (route.controller.prototype as Record<string, object>)[route.method]!;
  const generatedOperation = RESPONSES.operations[id];
  operation.tags = [tagOf(route.controller.name)];
  const level = accessOf(route.controller, handler);
  const description = [generatedOperation?.description, level ? `**Who:** ${ACCESS[level]}` : 'Anonymous: no credentials needed.'];
  operation.description = description.filter(Boolean).join('\n\n');
  operation.security = level ? [{ basic: [] }, { apiToken: [] }] : [];

  for (const parameter of operation.parameters ?? []) {
    // Nest's scan marks every named query parameter required; Wharf's are optional but for a few.
    if (parameter.in === 'query') parameter.required = REQUIRED_QUERY[id]?.includes(parameter.name) ?? false;
  }

  const body = bodyOf(route, schemas) ?? RAW_BODIES[id];
  if (body) operation.requestBody = body;
  else delete operation.requestBody;

  const status = String((Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? successOf(operation));
  const raw = RAW_RESPONSES[id];
  const responses: OperationObject['responses'] = raw ? { ...raw } : { [status]: { description: describeStatus(status) } };
  if (!raw && generatedOperation?.schema && status !== '204') responses[status]!.content = { [JSON_TYPE]: { schema: generatedOperation.schema } };
  if (operation.requestBody || (operation.parameters ?? []).some((p) => p.in === 'query')) {
    responses['400'] = { description: 'invalid input: the fields that are wrong and why', content: { [JSON_TYPE]: { schema: { $ref: '#/components/schemas/ValidationErrors' } } } };
  }
  if (level) {
    responses['401'] = { description: 'no credentials, or wrong ones (WWW-Authenticate: Basic)', content: errorContent() };
    responses['403'] = { description: 'the caller may not do this', content: errorContent() };
  }
  if (path.includes('{')) responses['404'] = { description: 'no such item (or one the caller may not see)', content: errorContent() };
  operation.responses = responses;
  schemas.ValidationErrors = { type: 'array', items: { $ref: '#/components/schemas/ValidationErrorJson' } };
}

function bodyOf(route: Route, schemas: Record<string, SchemaObject>): OperationObject['requestBody'] | undefined {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.method) ?? {}) as Record<string, { index: number }>;
  const body = Object.entries(args).find(([key]) => key.split(':')[0] === String(RouteParamtypes.BODY));
  if (!body) return undefined;
  const types = (Reflect.getMetadata('design:paramtypes', route.controller.prototype as object, route.method) ?? []) as unknown[];
  const type = types[body[1].index];
  if (!isDto(type)) return undefined;
  return { required: true, content: { [JSON_TYPE]: { schema: dtoSchema(type, schemas) } } };
}

function accessOf(controller: Type<unknown>, handler: object): RestAccessLevel | null {
  const guards = [...((Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as unknown[]), ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as unknown[])];
  if (!guards.includes(RestAuthGuard)) return null;
  return ((Reflect.getMetadata(REST_ACCESS, handler) ?? Reflect.getMetadata(REST_ACCESS, controller)) as RestAccessLevel | undefined) ?? 'admin';
}

function successOf(operation: OperationObject): number {
  const codes = Object.keys(operation.responses ?? {}).map(Number).filter((c) => c >= 200 && c < 300);
  return codes[0] ?? 200;
}

function describeStatus(status: string): string {
  return { '200': 'OK', '201': 'created', '204': 'done; no content' }[status] ?? status;
}

function errorContent(): Record<string, { schema: SchemaObject }> {
  return { [JSON_TYPE]: { schema: { $ref: '#/components/schemas/RestErrorJson' } } };
}

/** `RepositoriesController` -> `Repositories`. */
function tagOf(controller: string): string {
  return controller.replace(/Controller$/, '');
}

function sortedKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
