/**
 * Descriptor shape and validation. Errors name the JSON path of the offending field
 * ("layers[2].digest") so a client can see which entry of a pushed manifest is wrong.
 */
import type { Descriptor, Platform } from '@wharf/api-types';
import { parseDigest } from './digest';
import { RegistryError, isRegistryError } from './errors';

/** The descriptor as the registry API returns it and the UI shows it: one definition, in @wharf/api-types. */
export type { Descriptor, Platform };

export function manifestInvalid(message: string, detail?: unknown): RegistryError {
  return new RegistryError('MANIFEST_INVALID', message, detail);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function validateStringMap(v: unknown, path: string): Record<string, string> {
  if (!isPlainObject(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw manifestInvalid(`${path} must be an object of string values`);
  }
  return { ...(v as Record<string, string>) };
}

function validateStringArray(v: unknown, path: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw manifestInvalid(`${path} must be an array of strings`);
  }
  return [...(v as string[])];
}

function optionalString(obj: Record<string, unknown>, key: string, path: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw manifestInvalid(`${path}.${key} must be a string`);
  return v;
}

function validatePlatform(v: unknown, path: string): Platform {
  if (!isPlainObject(v)) throw manifestInvalid(`${path} must be an object`);
  const p: Platform = { architecture: '', os: '' };
  for (const key of ['architecture', 'os'] as const) {
    const s = v[key];
    if (typeof s !== 'string' || s === '') throw manifestInvalid(`${path}.${key} must be a non-empty string`);
    p[key] = s;
  }
  const variant = optionalString(v, 'variant', path);
  if (variant !== undefined) p.variant = variant;
  const osVersion = optionalString(v, 'os.version', path);
  if (osVersion !== undefined) p['os.version'] = osVersion;
  if (v['os.features'] !== undefined) p['os.features'] = validateStringArray(v['os.features'], `${path}.os.features`);
  return p;
}

/** Validates one descriptor and returns a copy holding only the known fields. */
export function validateDescriptor(v: unknown, path: string): Descriptor {
  if (!isPlainObject(v)) throw manifestInvalid(`${path} must be an object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string' || mediaType === '') {
    throw manifestInvalid(`${path}.mediaType must be a non-empty string`);
  }
  if (typeof digest !== 'string') throw manifestInvalid(`${path}.digest must be a string`);
  try {
    parseDigest(digest);
  } catch (e) {
    if (!isRegistryError(e)) throw e;
    throw manifestInvalid(`${path}.digest is invalid: ${e.message}`, { digest });
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw manifestInvalid(`${path}.size must be a non-negative integer`);
  }
  const d: Descriptor = { mediaType, digest, size };
  if (v.urls !== undefined) d.urls = validateStringArray(v.urls, `${path}.urls`);
  if (v.annotations !== undefined) d.annotations = validateStringMap(v.annotations, `${path}.annotations`);
  const artifactType = optionalString(v, 'artifactType', path);
  if (artifactType !== undefined) d.artifactType = artifactType;
  if (v.platform !== undefined) d.platform = validatePlatform(v.platform, `${path}.platform`);
  return d;
}
