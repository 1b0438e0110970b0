// The parts of OpenAPI 3.0 schemas Wharf's document uses (type, enum, nullable, properties, required,
// additionalProperties, items, $ref, allOf, anyOf, oneOf), for two checks of apps/server/test/rest/openapi.test.ts:
// a real answer matches its documented schema, and a type of @wharf/api-types fits the request body a DTO accepts.

export interface Schema {
  type?: string;
  $ref?: string;
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  [keyword: string]: unknown;
}

export type Schemas = Record<string, Schema>;

/** The schema a `$ref` or a one-element `allOf` wrapper stands for (nullable kept from the wrapper). */
export function resolve(schema: Schema, schemas: Schemas): Schema {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = schemas[name];
    if (!target) throw new Error(`no schema ${name}`);
    return resolve(target, schemas);
  }
  if (schema.allOf?.length === 1 && !schema.type && !schema.properties) {
    const inner = resolve(schema.allOf[0]!, schemas);
    return schema.nullable ? { ...inner, nullable: true } : inner;
  }
  return schema;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** Where `value` breaks `schema` (`path: what`), empty when it matches. */
export function violations(value: unknown, schema: Schema, schemas: Schemas, path = '$'): string[] {
  const s = resolve(schema, schemas);
  if (value === null) return s.nullable || s.enum?.includes(null) ? [] : [`${path}: null is not allowed`];
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return alternatives.some((o) => violations(value, o, schemas, path).length === 0) ? [] : [`${path}: matches none of ${s.anyOf ? 'anyOf' : 'oneOf'}`];
  if (s.allOf) return s.allOf.flatMap((o) => violations(value, o, schemas, path));
  if (s.enum && !s.enum.includes(value)) return [`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`];
  const actual = typeOf(value);
  if (s.type && s.type !== actual && !(s.type === 'number' && actual === 'integer')) return [`${path}: ${actual}, documented as ${s.type}`];
  if (Array.isArray(value)) return s.items ? value.flatMap((item, i) => violations(item, s.items!, schemas, `${path}[${i}]`)) : [];
  if (actual !== 'object' || (!s.properties && s.additionalProperties === undefined)) return [];
  const object = value as Record<string, unknown>;
  const problems = (s.required ?? []).filter((k) => !(k in object)).map((k) => `${path}.${k}: missing`);
  for (const [key, item] of Object.entries(object)) {
    const property = s.properties?.[key] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    if (property) problems.push(...violations(item, property, schemas, `${path}.${key}`));
    else if (s.additionalProperties !== true && item !== undefined) problems.push(`${path}.${key}: not documented`);
  }
  return problems;
}

/**
 * Where a client sending values of type `sent` (from @wharf/api-types) would be refused by a server accepting
 * `accepted` (a DTO's request body): a field the server does not take, a field it requires that the type may
 * leave out, null where the server wants a value, a type or an enum value the server does not accept.
 */
export function incompatibilities(sent: Schema, sentSchemas: Schemas, accepted: Schema, acceptedSchemas: Schemas, path = '$'): string[] {
  const s = resolve(sent, sentSchemas);
  const a = resolve(accepted, acceptedSchemas);
  const problems: string[] = [];
  if (s.nullable && !a.nullable) problems.push(`${path}: may be null, the server refuses null`);
  if (s.type && a.type && s.type !== a.type && !(s.type === 'number' && a.type === 'integer')) problems.push(`${path}: ${s.type}, the server takes ${a.type}`);
  if (a.enum) {
    const unknown = (s.enum ?? []).filter((v) => v !== null && !a.enum!.includes(v));
    if (unknown.length > 0 || !s.enum) problems.push(`${path}: ${s.enum ? JSON.stringify(unknown) : 'any value'}, the server takes only ${JSON.stringify(a.enum)}`);
  }
  if (s.items && a.items) problems.push(...incompatibilities(s.items, sentSchemas, a.items, acceptedSchemas, `${path}[]`));
  if (s.properties && a.properties) {
    const sentRequired = new Set(s.required ?? []);
    for (const [key, property] of Object.entries(s.properties)) {
      const target = a.properties[key];
      if (!target) problems.push(`${path}.${key}: sent, the server does not take it`);
      else problems.push(...incompatibilities(property, sentSchemas, target, acceptedSchemas, `${path}.${key}`));
    }
    for (const key of a.required ?? []) {
      if (!sentRequired.has(key)) problems.push(`${path}.${key}: required by the server, optional or absent in the type`);
    }
  }
  return problems;
}
