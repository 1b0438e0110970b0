/**
 * Media types the registry recognises, and content negotiation against a client's Accept
 * header (which decides whether a client may be served an index or a given manifest format).
 */

export const MediaType = {
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  DockerContainerConfig: 'application/vnd.docker.container.image.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
} as const;

export type KnownMediaType = (typeof MediaType)[keyof typeof MediaType];

const MANIFEST_TYPES: ReadonlySet<string> = new Set([
  MediaType.DockerManifest,
  MediaType.DockerManifestList,
  MediaType.OciManifest,
  MediaType.OciIndex,
]);
const INDEX_TYPES: ReadonlySet<string> = new Set([MediaType.DockerManifestList, MediaType.OciIndex]);
const SCHEMA1_TYPES: ReadonlySet<string> = new Set([MediaType.DockerSchema1, MediaType.DockerSchema1Signed]);

/** The type/subtype of a header value, without parameters, trimmed and lower-cased. */
export function mediaTypeEssence(value: string): string {
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
}

/** The four manifest formats this registry stores (exact match; use mediaTypeEssence on headers). */
export function isManifestMediaType(mt: string): boolean {
  return MANIFEST_TYPES.has(mt);
}

export function isIndexMediaType(mt: string): boolean {
  return INDEX_TYPES.has(mt);
}

export function isSchema1MediaType(mt: string): boolean {
  return SCHEMA1_TYPES.has(mt);
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseMediaRange(part: string): MediaRange | null {
  const [range = '', ...params] = part.split(';');
  let essence = range.trim().toLowerCase();
  if (essence === '*') essence = '*/*'; // some HTTP clients send a bare "*"
  const slash = essence.indexOf('/');
  if (slash <= 0 || slash === essence.length - 1) return null;
  let q = 1;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'q') continue;
    const n = Number(p.slice(eq + 1).trim());
    if (Number.isFinite(n)) q = Math.min(Math.max(n, 0), 1);
  }
  return { type: essence.slice(0, slash), subtype: essence.slice(slash + 1), q };
}

/**
 * Whether `mediaType` is acceptable under an Accept header. Several header values are treated
 * as one comma list. The most specific matching range decides (RFC 9110 §12.5.1), so
 * "application/vnd.oci.image.index.v1+json;q=0, *\/*" refuses an index. An absent or empty
 * Accept accepts everything.
 */
export function acceptsMediaType(accept: string | string[] | undefined, mediaType: string): boolean {
  const joined = Array.isArray(accept) ? accept.join(',') : accept;
  if (joined === undefined || joined.trim() === '') return true;
  const target = mediaTypeEssence(mediaType);
  const slash = target.indexOf('/');
  const type = target.slice(0, slash);
  const subtype = target.slice(slash + 1);

  let bestSpecificity = -1;
  let bestQ = 0;
  for (const part of joined.split(',')) {
    const r = parseMediaRange(part);
    if (!r) continue;
    let specificity: number;
    if (r.type === type && r.subtype === subtype) specificity = 2;
    else if (r.type === type && r.subtype === '*') specificity = 1;
    else if (r.type === '*' && r.subtype === '*') specificity = 0;
    else continue;
    // Equal specificity (the same range listed twice): the more generous q wins.
    if (specificity > bestSpecificity || (specificity === bestSpecificity && r.q > bestQ)) {
      bestSpecificity = specificity;
      bestQ = r.q;
    }
  }
  return bestSpecificity >= 0 && bestQ > 0;
}
