/**
 * Repository name and tag grammar, exactly as the OCI distribution spec gives it, with
 * error messages that say which rule a rejected name broke.
 */
import { isValidDigest, parseDigest } from './digest';
import { RegistryError } from './errors';

/** One path component: lowercase alphanumerics joined by ".", "_", "__" or runs of "-". */
export const NAME_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
export const NAME_COMPONENT_PATTERN = new RegExp(`^${NAME_COMPONENT}$`);
export const REPOSITORY_NAME_PATTERN = new RegExp(`^${NAME_COMPONENT}(?:\\/${NAME_COMPONENT})*$`);
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
export const MAX_NAME_LENGTH = 255;
export const MAX_TAG_LENGTH = 128;

function nameInvalid(name: string, message: string): RegistryError {
  return new RegistryError('NAME_INVALID', message, { name });
}

export function validateName(name: string): void {
  if (typeof name !== 'string' || name === '') throw nameInvalid(name, 'repository name must not be empty');
  // Length first: it also bounds the regex work below.
  if (name.length > MAX_NAME_LENGTH) {
    throw nameInvalid(name, `repository name must be at most ${MAX_NAME_LENGTH} characters (got ${name.length})`);
  }
  if (REPOSITORY_NAME_PATTERN.test(name)) return;
  if (/[A-Z]/.test(name)) throw nameInvalid(name, 'repository name must be lowercase');
  const bad = /[^a-z0-9._/-]/.exec(name);
  if (bad) throw nameInvalid(name, `repository name contains invalid character ${JSON.stringify(bad[0])}`);
  if (name.includes('..')) throw nameInvalid(name, 'repository name must not contain ".."');
  const segments = name.split('/');
  if (segments.some((s) => s === '')) {
    throw nameInvalid(name, 'repository name must not have an empty path segment (leading, trailing or double "/")');
  }
  for (const s of segments) {
    if (NAME_COMPONENT_PATTERN.test(s)) continue;
    if (/^[^a-z0-9]|[^a-z0-9]$/.test(s)) {
      throw nameInvalid(name, `path segment "${s}" must start and end with a lowercase letter or digit`);
    }
    throw nameInvalid(name, `path segment "${s}" has an invalid separator (use ".", "_", "__" or "-")`);
  }
  throw nameInvalid(name, 'repository name is invalid'); // unreachable: every failing case is named above
}

function tagInvalid(tag: string, message: string): RegistryError {
  return new RegistryError('TAG_INVALID', message, { tag });
}

export function validateTag(tag: string): void {
  if (typeof tag !== 'string' || tag === '') throw tagInvalid(tag, 'tag must not be empty');
  if (tag.length > MAX_TAG_LENGTH) {
    throw tagInvalid(tag, `tag must be at most ${MAX_TAG_LENGTH} characters (got ${tag.length})`);
  }
  if (TAG_PATTERN.test(tag)) return;
  if (!/^[a-zA-Z0-9_]/.test(tag)) throw tagInvalid(tag, 'tag must start with a letter, digit or "_"');
  const bad = /[^a-zA-Z0-9._-]/.exec(tag);
  throw tagInvalid(tag, `tag contains invalid character ${JSON.stringify(bad ? bad[0] : tag)}`);
}

export function isValidTag(tag: string): boolean {
  return typeof tag === 'string' && TAG_PATTERN.test(tag);
}

export function isValidName(name: string): boolean {
  return typeof name === 'string' && name.length <= MAX_NAME_LENGTH && REPOSITORY_NAME_PATTERN.test(name);
}

/** A manifest reference is a digest when it contains ":" (tags cannot). */
export function isDigestReference(ref: string): boolean {
  return ref.includes(':');
}

export type Reference = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: string };

/** Classifies and validates a manifest reference; throws TAG_INVALID or DIGEST_INVALID. */
export function parseReference(ref: string): Reference {
  if (isDigestReference(ref)) {
    parseDigest(ref);
    return { kind: 'digest', digest: ref };
  }
  validateTag(ref);
  return { kind: 'tag', tag: ref };
}

export function isValidReference(ref: string): boolean {
  return isDigestReference(ref) ? isValidDigest(ref) : isValidTag(ref);
}
