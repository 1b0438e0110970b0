/** The parts of an OpenAPI 3.0 document Wharf writes or completes (what @nestjs/swagger produces, loosely typed). */
export interface SchemaObject {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  $ref?: string;
  [keyword: string]: unknown;
}

export interface MediaTypes {
  [mediaType: string]: { schema: SchemaObject };
}

export interface OperationObject {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; schema?: SchemaObject; description?: string }[];
  requestBody?: { required?: boolean; content: MediaTypes; description?: string };
  responses: Record<string, { description: string; content?: MediaTypes }>;
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas?: Record<string, SchemaObject>; securitySchemes?: Record<string, unknown> };
  [key: string]: unknown;
}
