// What the REST controllers answer, read from their TypeScript: each route method's declared (or inferred) return
// type, unwrapped from its Promise and turned into an OpenAPI 3.0 schema; named types (@wharf/api-types' interfaces,
// the few domain views) become components. The OpenAPI document (apps/server/src/openapi/) takes request bodies
// from the DTOs' class-validator rules at run time, and its responses from this file's output, generated ahead
// because the TypeScript compiler is a development tool and the types are gone at run time.
// Only Wharf's own sources are read (other packages' types are left unresolved): about 200 files, a few seconds.
'use strict';
const { join, dirname, resolve, relative } = require('node:path');
const ts = require('typescript');

const ROOT = resolve(__dirname, '..', '..');
const OUTPUT = join(ROOT, 'apps/server/src/openapi/response-schemas.json');

/** Wharf's packages as their sources, so their types are read; any other import stays unresolved (any). */
const WORKSPACE = {
  '@wharf/api-types': 'libs/api-types/src/index.ts',
  '@wharf/registry-core': 'libs/registry-core/src/index.ts',
  '@wharf/oci': 'libs/oci/src/index.ts',
  '@wharf/blobstore': 'libs/blobstore/src/index.ts',
  '@wharf/native-io': 'libs/native-io/src/index.ts',
};

/** Types of @wharf/api-types the document needs although no controller returns them: the error answers. */
const ERROR_TYPES = ['ValidationErrorJson', 'RestErrorJson'];

const ROUTE_DECORATORS = new Set(['Get', 'Post', 'Put', 'Delete', 'Patch', 'Head', 'Options', 'All']);

/** Controllers the document leaves out: the document itself and its browser. */
const UNDOCUMENTED = new Set(['OpenApiController']);

function createProgram(files) {
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    strict: true,
    noEmit: true,
    types: [],
    lib: ['lib.es2023.d.ts'],
    experimentalDecorators: true,
  };
  const host = ts.createCompilerHost(options);
  host.resolveModuleNames = (names, containing) =>
    names.map((name) => {
      if (WORKSPACE[name]) return { resolvedFileName: join(ROOT, WORKSPACE[name]), extension: ts.Extension.Ts };
      if (!name.startsWith('.')) return undefined;
      const base = resolve(dirname(containing), name);
      for (const file of [`${base}.ts`, join(base, 'index.ts')]) {
        if (ts.sys.fileExists(file)) return { resolvedFileName: file, extension: ts.Extension.Ts };
      }
      return undefined;
    });
  return ts.createProgram(files, options, host);
}

function decoratorName(decorator) {
  const call = decorator.expression;
  return ts.isCallExpression(call) && ts.isIdentifier(call.expression) ? call.expression.text : undefined;
}

function documentation(checker, node) {
  const symbol = node.name && checker.getSymbolAtLocation(node.name);
  const text = symbol ? ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() : '';
  return text || undefined;
}

/** Turns TypeScript types into OpenAPI 3.0 schemas; named object types are collected as components. */
class SchemaWriter {
  constructor(checker) {
    this.checker = checker;
    this.components = {};
    this.origins = new Map(); // component name -> declaration, to refuse two types of one name
  }

  schemaOf(type) {
    const c = this.checker;
    const flags = type.flags;
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (flags & ts.TypeFlags.StringLiteral) return { type: 'string', enum: [type.value] };
    if (flags & ts.TypeFlags.NumberLiteral) return { type: 'number', enum: [type.value] };
    if (flags & ts.TypeFlags.BooleanLiteral) return { type: 'boolean', enum: [type.intrinsicName === 'true'] };
    if (flags & ts.TypeFlags.StringLike) return { type: 'string' };
    if (flags & ts.TypeFlags.NumberLike) return { type: 'number' };
    if (flags & ts.TypeFlags.BooleanLike) return { type: 'boolean' };
    if (flags & ts.TypeFlags.Null) return { nullable: true, enum: [null] };
    if (type.isUnion()) return this.unionOf(type);
    if (c.isArrayType(type) || c.isTupleType(type)) {
      const [item] = c.getTypeArguments(type);
      return { type: 'array', items: item ? this.schemaOf(item) : {} };
    }
    const name = this.componentName(type);
    if (name === 'Date') return { type: 'string', format: 'date-time' };
    if (!name) return this.objectOf(type);
    if (!this.components[name]) {
      this.components[name] = {}; // placeholder: recursive types refer to themselves
      this.components[name] = this.objectOf(type);
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  unionOf(type) {
    const members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    const nullable = members.some((t) => t.flags & ts.TypeFlags.Null);
    const rest = members.filter((t) => !(t.flags & ts.TypeFlags.Null));
    if (rest.length === 0) return { nullable: true, enum: [null] };
    let schema;
    if (rest.length === 2 && rest.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) schema = { type: 'boolean' };
    else if (rest.length > 0 && rest.every((t) => t.flags & ts.TypeFlags.StringLiteral)) schema = { type: 'string', enum: rest.map((t) => t.value) };
    else if (rest.length === 1) schema = this.schemaOf(rest[0]);
    else schema = { anyOf: rest.map((t) => this.schemaOf(t)) }; // anyOf: TypeScript's unions may overlap
    if (!nullable) return schema;
    if (schema.$ref) return { allOf: [schema], nullable: true };
    if (schema.enum) return { ...schema, enum: [...schema.enum, null], nullable: true };
    return { ...schema, nullable: true };
  }

  objectOf(type) {
    const c = this.checker;
    const properties = {};
    const required = [];
    for (const symbol of c.getPropertiesOfType(type)) {
      const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
      const propertyType = declaration ? c.getTypeOfSymbolAtLocation(symbol, declaration) : c.getDeclaredTypeOfSymbol(symbol);
      if (propertyType.getCallSignatures().length > 0) continue;
      const schema = this.schemaOf(propertyType);
      const doc = ts.displayPartsToString(symbol.getDocumentationComment(c)).trim();
      properties[symbol.name] = doc && !schema.$ref ? { ...schema, description: doc } : schema;
      if (!(symbol.flags & ts.SymbolFlags.Optional)) required.push(symbol.name);
    }
    const schema = { type: 'object', properties };
    if (required.length > 0) schema.required = required;
    const index = c.getIndexInfoOfType(type, ts.IndexKind.String);
    if (index) schema.additionalProperties = index.type.flags & ts.TypeFlags.Never ? false : this.schemaOf(index.type);
    return schema;
  }

  /** A component name for a named type of Wharf's own sources (generic arguments joined by `_`), else undefined. */
  componentName(type) {
    const c = this.checker;
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (!symbol || symbol.name.startsWith('__')) return undefined;
    const declaration = symbol.declarations?.[0];
    if (!declaration) return undefined;
    const file = declaration.getSourceFile().fileName;
    if (file.includes('/node_modules/') || !resolve(file).startsWith(ROOT)) return symbol.name === 'Date' ? 'Date' : undefined;
    const args = type.aliasSymbol ? (type.aliasTypeArguments ?? []) : type.objectFlags & ts.ObjectFlags.Reference ? c.getTypeArguments(type) : [];
    const name = [symbol.name, ...args.map((a) => this.componentName(a) ?? c.typeToString(a).replace(/[^A-Za-z0-9]/g, ''))].join('_');
    const origin = `${relative(ROOT, file)}:${symbol.name}`;
    const seen = this.origins.get(name);
    if (seen && seen !== origin) throw new Error(`two types named ${name} (${seen}, ${origin}): rename one, the OpenAPI document names schemas by type`);
    this.origins.set(name, origin);
    return name;
  }
}

/**
 * Every route method of every `*.controller.ts` under apps/server/src: `Controller.method` -> its response schema
 * (absent for void) and its documentation comment; plus the named schemas they use.
 */
function generate() {
  const files = ts.sys.readDirectory(join(ROOT, 'apps/server/src'), ['.ts']).filter((f) => f.endsWith('.controller.ts')).sort();
  const apiTypes = join(ROOT, WORKSPACE['@wharf/api-types']);
  const program = createProgram([...files, apiTypes]);
  const checker = program.getTypeChecker();
  const writer = new SchemaWriter(checker);
  const operations = {};
  const controllers = {};
  for (const file of files) {
    const source = program.getSourceFile(file);
    for (const node of source.statements) {
      if (!ts.isClassDeclaration(node) || !node.name) continue;
      const decorators = ts.getDecorators(node) ?? [];
      if (!decorators.some((d) => decoratorName(d) === 'Controller')) continue;
      const controller = node.name.text;
      if (UNDOCUMENTED.has(controller)) continue;
      const classDoc = documentation(checker, node);
      controllers[controller] = classDoc ? { description: classDoc } : {};
      for (const member of node.members) {
        if (!ts.isMethodDeclaration(member) || !(ts.getDecorators(member) ?? []).some((d) => ROUTE_DECORATORS.has(decoratorName(d)))) continue;
        const signature = checker.getSignatureFromDeclaration(member);
        let type = checker.getReturnTypeOfSignature(signature);
        const promised = checker.getPromisedTypeOfPromise(type);
        if (promised) type = promised;
        const operation = {};
        if (!(type.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined))) operation.schema = writer.schemaOf(type);
        const doc = documentation(checker, member);
        if (doc) operation.description = doc;
        operations[`${controller}.${member.name.getText(source)}`] = operation;
      }
    }
  }
  for (const name of ERROR_TYPES) writer.schemaOf(apiType(program, name));
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return {
    comment: 'Generated by `npm run openapi:responses` (scripts/openapi-responses.js) from the controllers\' return types; do not edit.',
    controllers: sorted(controllers),
    operations: sorted(operations),
    schemas: sorted(writer.components),
  };
}

/** A type @wharf/api-types exports, by name. */
function apiType(program, name) {
  const checker = program.getTypeChecker();
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, WORKSPACE['@wharf/api-types']))));
  const symbol = exported.find((s) => s.name === name);
  if (!symbol) throw new Error(`@wharf/api-types exports no ${name}`);
  return checker.getDeclaredTypeOfSymbol(symbol);
}

/**
 * Schemas of types of @wharf/api-types (what the web UI and scripts send), written as the responses are: `roots`
 * maps each name to its schema, `schemas` holds the named types they refer to. The OpenAPI test compares them with
 * the request bodies the server's DTOs accept.
 */
function apiTypeSchemas(names) {
  const program = createProgram([join(ROOT, WORKSPACE['@wharf/api-types'])]);
  const writer = new SchemaWriter(program.getTypeChecker());
  const roots = Object.fromEntries(names.map((name) => [name, writer.schemaOf(apiType(program, name))]));
  return { roots, schemas: writer.components };
}

/** The file's text as written: stable key order, two-space indent, final newline. */
function render(result) {
  return `${JSON.stringify(result, null, 2)}\n`;
}

module.exports = { generate, render, apiTypeSchemas, OUTPUT };
