import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import type { SchemaObject } from './openapi-types';

type Schemas = Record<string, SchemaObject>;
type DtoClass = abstract new (...args: never[]) => unknown;

/**
 * The OpenAPI schema of a request DTO, read from the class-validator rules the ValidationPipe enforces (so the
 * document says what the server accepts: types, enums, bounds, patterns, which fields may be left out or null).
 * Nested DTOs (class-transformer's @Type) become components of their own in `schemas`. Fields no rule covers are
 * refused by the pipe (forbidNonWhitelisted), hence `additionalProperties: false`.
 */
export function dtoSchema(dto: DtoClass, schemas: Schemas): { $ref: string } {
  const name = dto.name;
  if (!schemas[name]) {
    schemas[name] = {}; // placeholder: a DTO may refer to itself
    schemas[name] = objectSchema(dto, schemas);
  }
  return { $ref: `#/components/schemas/${name}` };
}

/** A class with class-validator rules (a DTO), as opposed to a primitive or a plain object parameter. */
export function isDto(type: unknown): type is DtoClass {
  return typeof type === 'function' && rulesOf(type as DtoClass).length > 0;
}

function rulesOf(dto: DtoClass): ValidationMetadata[] {
  return getMetadataStorage().getTargetValidationMetadatas(dto as new () => unknown, '', true, false);
}

function objectSchema(dto: DtoClass, schemas: Schemas): SchemaObject {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const rule of rulesOf(dto)) byProperty.set(rule.propertyName, [...(byProperty.get(rule.propertyName) ?? []), rule]);
  const properties: Record<string, SchemaObject> = {};
  const required: string[] = [];
  for (const [property, rules] of byProperty) {
    const { schema, optional } = propertySchema(dto, property, rules, schemas);
    properties[property] = schema;
    if (!optional) required.push(property);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}

/** Validators that fix the value's type, and the type. */
const TYPES: Record<string, SchemaObject['type']> = {
  isString: 'string',
  isBoolean: 'boolean',
  isInt: 'integer',
  isNumber: 'number',
  isArray: 'array',
  isObject: 'object',
  isNotEmptyObject: 'object',
};

/** Validators whose first constraint is a bound, and the schema keyword for it. */
const BOUNDS: Record<string, string> = {
  min: 'minimum',
  max: 'maximum',
  minLength: 'minLength',
  maxLength: 'maxLength',
  arrayMinSize: 'minItems',
  arrayMaxSize: 'maxItems',
};

/** What a validator's name says about the value (or, with `each`, about every item). */
function constrain(schema: SchemaObject, rule: ValidationMetadata): void {
  const name = rule.name ?? '';
  const c = (rule.constraints ?? []) as unknown[];
  if (TYPES[name]) schema.type = TYPES[name];
  else if (BOUNDS[name]) schema[BOUNDS[name]] = c[0] as number;
  else if (name === 'isIn') schema.enum = [...(c[0] as unknown[])];
  else if (name === 'equals') {
    schema.enum = [c[0]];
    if (c[0] === null) schema.nullable = true;
    else schema.type = typeof c[0] as SchemaObject['type'];
  } else if (name === 'matches') Object.assign(schema, { type: 'string', pattern: (c[0] as RegExp).source });
  else if (name === 'isUrl') Object.assign(schema, { type: 'string', format: 'uri' });
  else if (name === 'isIso8601' || name === 'isISO8601') Object.assign(schema, { type: 'string', format: 'date-time' });
  // Other (custom) rules, e.g. RE2-compilable patterns, are described by the field's documentation.
}

function propertySchema(dto: DtoClass, property: string, rules: ValidationMetadata[], schemas: Schemas): { schema: SchemaObject; optional: boolean } {
  const schema: SchemaObject = {};
  const items: SchemaObject = {};
  let optional = false;
  for (const rule of rules) {
    if (rule.type === 'conditionalValidation') {
      // @IsOptional skips every rule for null and undefined; @ValidateIf(condition) for the values it returns false for.
      const condition = rule.name === 'isOptional' ? () => false : (rule.constraints[0] as (o: object, v: unknown) => boolean);
      if (!condition({ [property]: undefined }, undefined)) optional = true;
      if (!condition({ [property]: null }, null)) schema.nullable = true;
      continue;
    }
    if (rule.type === 'nestedValidation') {
      const nested = defaultMetadataStorage.findTypeMetadata(dto as new () => unknown, property)?.typeFunction() as DtoClass | undefined;
      if (nested) Object.assign(rule.each ? items : schema, dtoSchema(nested, schemas));
      if (rule.each) schema.type = 'array';
      continue;
    }
    constrain(rule.each ? items : schema, rule);
  }
  if (schema.type === 'array' || Object.keys(items).length > 0) {
    schema.type = 'array';
    schema.items = items;
  }
  if (schema.$ref && (schema.nullable || Object.keys(schema).length > 1)) {
    // OpenAPI 3.0 ignores siblings of $ref: wrap it.
    const { $ref, ...rest } = schema;
    return { schema: { ...rest, allOf: [{ $ref }] }, optional };
  }
  if (schema.type === undefined && !schema.enum && !schema.allOf) schema.type = designType(dto, property);
  return { schema, optional };
}

/** The TypeScript type emitted for a field without a type rule. */
function designType(dto: DtoClass, property: string): SchemaObject['type'] {
  const type: unknown = Reflect.getMetadata('design:type', dto.prototype as object, property);
  if (type === String) return 'string';
  if (type === Number) return 'number';
  if (type === Boolean) return 'boolean';
  if (type === Array) return 'array';
  return 'object';
}
