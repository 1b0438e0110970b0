import { RegistryError, validateName } from '@wharf/oci';

/** The registry API routes (OCI distribution spec 1.1), the single source the dispatcher uses. */
export type Route =
  | { kind: 'base' }
  | { kind: 'token' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'referrers'; name: string; digest: string };

const PATTERNS: [RegExp, (m: RegExpMatchArray) => Route][] = [
  [/^\/v2\/?$/, () => ({ kind: 'base' })],
  [/^\/v2\/token\/?$/, () => ({ kind: 'token' })],
  [/^\/v2\/_catalog$/, () => ({ kind: 'catalog' })],
  [/^\/v2\/(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1]! })],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: m[1]!, reference: m[2]! })],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: 'uploads', name: m[1]! })],
  [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, (m) => ({ kind: 'upload', name: m[1]!, id: m[2]! })],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1]!, digest: m[2]! })],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, (m) => ({ kind: 'referrers', name: m[1]!, digest: m[2]! })],
];

/** Matches a path (without query, already stripped of any /repository/<repo> prefix). null: not a registry route. */
export function matchRoute(path: string): Route | null {
  for (const [pattern, build] of PATTERNS) {
    const m = path.match(pattern);
    if (m) {
      const route = build(m);
      if ('name' in route) validateName(route.name);
      return route;
    }
  }
  return null;
}

/** Which repository and image a registry name designates, and how to write URLs back to the client. */
export interface Target {
  repository: string;
  image: string;
  /** The name exactly as the client addressed it (for Location and Link headers). */
  name: string;
  /** Path before `/v2/` as the client used it ('' or '/repository/<repo>'). */
  prefix: string;
}

/** On the main port, `/v2/<repo>/<image>` names the repository by its first segment. */
export function splitRepositoryName(name: string): { repository: string; image: string } {
  const slash = name.indexOf('/');
  if (slash < 0) {
    throw new RegistryError('NAME_INVALID', `"${name}" names no image: on this port use <repository>/<image>, e.g. docker-hosted/${name}`);
  }
  return { repository: name.slice(0, slash), image: name.slice(slash + 1) };
}

export function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    throw new RegistryError('NAME_INVALID', 'the request path is not valid percent-encoding');
  }
}
