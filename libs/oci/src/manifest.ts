/**
 * Validation and parsing of pushed manifests (Docker v2 schema 2, Docker manifest list,
 * OCI image manifest, OCI index). Schema 1 is refused: it is deprecated, signed over its
 * own bytes, and Docker no longer pushes it.
 */
import { type Descriptor, isPlainObject, manifestInvalid, validateDescriptor, validateStringMap } from './descriptor';
import { RegistryError } from './errors';
import { MediaType, isIndexMediaType, isManifestMediaType, isSchema1MediaType, mediaTypeEssence } from './mediatypes';

export interface ParsedManifest {
  /** The effective media type. */
  mediaType: string;
  kind: 'image' | 'index';
  /** Image only. */
  config?: Descriptor;
  /** Image only ([] for an index). */
  layers: Descriptor[];
  /** Index only ([] for an image). */
  manifests: Descriptor[];
  subject?: Descriptor;
  /** manifest.artifactType, or for an image config.mediaType when it is not a standard config type. */
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** Same limit as Distribution; larger manifests are refused with 413. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const SCHEMA1_REFUSED =
  'schema1 manifests are not supported; push with a current Docker or OCI client (schema 2 / OCI image manifest)';

const STANDARD_CONFIG_TYPES: ReadonlySet<string> = new Set([MediaType.DockerContainerConfig, MediaType.OciConfig]);

// Layers a registry cannot be asked to hold: their bytes live elsewhere (Windows base layers).
const NON_DISTRIBUTABLE_PREFIXES = [
  'application/vnd.docker.image.rootfs.foreign.',
  'application/vnd.oci.image.layer.nondistributable.',
];

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeJson(bytes: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw manifestInvalid('manifest is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw manifestInvalid(`manifest is not valid JSON: ${(e as Error).message}`);
  }
}

function effectiveMediaType(body: Record<string, unknown>, contentType: string | undefined): string {
  const declared = body.mediaType;
  if (declared !== undefined && (typeof declared !== 'string' || declared === '')) {
    throw manifestInvalid('mediaType must be a non-empty string');
  }
  const fromHeader = contentType !== undefined ? mediaTypeEssence(contentType) : undefined;
  const headerType = fromHeader !== undefined && isManifestMediaType(fromHeader) ? fromHeader : undefined;
  if (declared !== undefined && headerType !== undefined && declared !== headerType) {
    throw manifestInvalid(`Content-Type ${headerType} does not match the manifest's mediaType ${declared}`);
  }
  const mt = declared ?? headerType ?? inferMediaType(body);
  if (!isManifestMediaType(mt)) throw manifestInvalid(`unsupported manifest media type ${mt}`);
  return mt;
}

// OCI lets mediaType be omitted; fall back to the document's shape.
function inferMediaType(body: Record<string, unknown>): string {
  if (body.manifests !== undefined) return MediaType.OciIndex;
  if (body.config !== undefined && body.layers !== undefined) return MediaType.OciManifest;
  throw manifestInvalid('cannot determine the manifest media type: no mediaType, and neither manifests nor config+layers');
}

function parseDescriptorArray(v: unknown, path: string): Descriptor[] {
  if (!Array.isArray(v)) throw manifestInvalid(`${path} must be an array`);
  return v.map((d, i) => validateDescriptor(d, `${path}[${i}]`));
}

/**
 * A pushed manifest's Content-Type must name a manifest format (as Distribution requires): `text/html` or
 * `application/octet-stream` is refused, not guessed from the body. An absent header is left to the body.
 * (Manifests from an upstream are read with `parseManifest` alone: some registries label them loosely.)
 */
export function checkPushedContentType(contentType: string | undefined): void {
  if (contentType === undefined || contentType.trim() === '') return;
  const essence = mediaTypeEssence(contentType);
  if (isSchema1MediaType(essence)) throw manifestInvalid(SCHEMA1_REFUSED);
  if (!isManifestMediaType(essence)) {
    throw manifestInvalid(
      `Content-Type ${essence} is not a manifest media type; send the manifest's own mediaType (e.g. ${MediaType.OciManifest})`,
    );
  }
}

export function parseManifest(bytes: Buffer, contentType?: string): ParsedManifest {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new RegistryError(
      'MANIFEST_INVALID',
      `manifest is ${bytes.length} bytes, larger than the ${MAX_MANIFEST_BYTES}-byte limit`,
      { size: bytes.length, limit: MAX_MANIFEST_BYTES },
      { status: 413 },
    );
  }
  if (contentType !== undefined && isSchema1MediaType(mediaTypeEssence(contentType))) {
    throw manifestInvalid(SCHEMA1_REFUSED);
  }
  const body = decodeJson(bytes);
  if (!isPlainObject(body)) throw manifestInvalid('manifest must be a JSON object');
  if (typeof body.mediaType === 'string' && isSchema1MediaType(body.mediaType)) throw manifestInvalid(SCHEMA1_REFUSED);
  if (body.schemaVersion === 1) throw manifestInvalid(SCHEMA1_REFUSED);
  if (body.schemaVersion !== 2) throw manifestInvalid('schemaVersion must be 2');

  const mediaType = effectiveMediaType(body, contentType);
  const kind = isIndexMediaType(mediaType) ? 'index' : 'image';
  const m: ParsedManifest = { mediaType, kind, layers: [], manifests: [] };

  // Refusing the other kind's fields closes the image/index ambiguity (CVE-2021-41190).
  if (kind === 'image') {
    if (body.manifests !== undefined) throw manifestInvalid('an image manifest must not contain manifests');
    if (body.config === undefined) throw manifestInvalid('config is required in an image manifest');
    if (body.layers === undefined) throw manifestInvalid('layers is required in an image manifest');
    m.config = validateDescriptor(body.config, 'config');
    m.layers = parseDescriptorArray(body.layers, 'layers');
  } else {
    if (body.config !== undefined || body.layers !== undefined) {
      throw manifestInvalid('an index must not contain config or layers');
    }
    if (body.manifests === undefined) throw manifestInvalid('manifests is required in an index');
    m.manifests = parseDescriptorArray(body.manifests, 'manifests');
  }

  if (body.subject !== undefined) m.subject = validateDescriptor(body.subject, 'subject');
  if (body.annotations !== undefined) m.annotations = validateStringMap(body.annotations, 'annotations');
  if (body.artifactType !== undefined) {
    if (typeof body.artifactType !== 'string' || body.artifactType === '') {
      throw manifestInvalid('artifactType must be a non-empty string');
    }
    m.artifactType = body.artifactType;
  } else if (m.config && !STANDARD_CONFIG_TYPES.has(m.config.mediaType)) {
    m.artifactType = m.config.mediaType;
  }
  return m;
}

export function isNonDistributable(d: Descriptor): boolean {
  return (d.urls !== undefined && d.urls.length > 0) || NON_DISTRIBUTABLE_PREFIXES.some((p) => d.mediaType.startsWith(p));
}

function uniqueByDigest(ds: Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return ds.filter((d) => !seen.has(d.digest) && seen.add(d.digest));
}

/** Blobs that must exist before the manifest is accepted: config + distributable layers, each digest once. */
export function requiredBlobs(m: ParsedManifest): Descriptor[] {
  if (m.kind !== 'image' || !m.config) return [];
  return uniqueByDigest([m.config, ...m.layers.filter((l) => !isNonDistributable(l))]);
}

/** Child manifests an index references (each digest once); they must exist before the index is accepted. */
export function requiredManifests(m: ParsedManifest): Descriptor[] {
  return m.kind === 'index' ? uniqueByDigest(m.manifests) : [];
}

/**
 * The artifactType the referrers API reports: OCI 1.1 says manifest.artifactType, else the
 * config mediaType, even a standard one (ParsedManifest.artifactType omits standard ones).
 */
export function referrerArtifactType(m: ParsedManifest): string | undefined {
  return m.artifactType ?? m.config?.mediaType;
}
