/** Reading manifests for the browse views; the document types and media types come from @wharf/api-types. */
import { type ImageIndex, type ImageManifest, type Descriptor, type Platform, MediaTypes, isIndexMediaType } from '@wharf/api-types';

/** What the UI asks for: every manifest kind it can show. */
export const MANIFEST_ACCEPT = [MediaTypes.ociIndex, MediaTypes.ociManifest, MediaTypes.dockerList, MediaTypes.dockerManifest].join(', ');

/** A fetched manifest: the parsed JSON plus what the registry said about it. */
export type ManifestDocument =
  | { kind: 'index'; mediaType: string; digest: string; size: number; index: ImageIndex }
  | { kind: 'image'; mediaType: string; digest: string; size: number; manifest: ImageManifest };

/** Parses manifest bytes; the Content-Type wins, the body's own mediaType and shape are the fallback. */
export function parseManifest(text: string, contentType: string | null, digest: string): ManifestDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('the manifest is not valid JSON');
  }
  if (!json || typeof json !== 'object') throw new Error('the manifest is not a JSON object');
  const body = json as Partial<ImageIndex & ImageManifest>;
  const declared = (contentType ?? '').split(';')[0]!.trim();
  const mediaType = declared && declared !== 'application/json' ? declared : (body.mediaType ?? '');
  const size = new TextEncoder().encode(text).length;
  if (isIndexMediaType(mediaType) || (Array.isArray(body.manifests) && !body.layers)) {
    return { kind: 'index', mediaType: mediaType || MediaTypes.ociIndex, digest, size, index: { ...body, manifests: body.manifests ?? [] } as ImageIndex };
  }
  if (body.config && Array.isArray(body.layers)) {
    return { kind: 'image', mediaType: mediaType || MediaTypes.ociManifest, digest, size, manifest: body as ImageManifest };
  }
  throw new Error(`unsupported manifest (media type ${mediaType || 'unknown'})`);
}

/** `linux/arm64/v8`, `windows/amd64 10.0.17763.1234`, or `unknown/unknown`. */
export function platformLabel(platform: Platform | undefined): string {
  if (!platform) return 'unspecified platform';
  const parts = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
  return platform['os.version'] ? `${parts} ${platform['os.version']}` : parts;
}

/** BuildKit stores provenance and SBOM attestations as index entries of platform unknown/unknown. */
export function isAttestation(descriptor: Descriptor): boolean {
  return descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
}

/** Short names for the media types people meet most. */
export function mediaTypeLabel(mediaType: string): string {
  const known: Record<string, string> = {
    [MediaTypes.ociIndex]: 'OCI index',
    [MediaTypes.ociManifest]: 'OCI manifest',
    [MediaTypes.dockerList]: 'Docker manifest list',
    [MediaTypes.dockerManifest]: 'Docker manifest v2',
    [MediaTypes.ociConfig]: 'OCI config',
    [MediaTypes.dockerConfig]: 'Docker config',
    'application/vnd.oci.image.layer.v1.tar': 'tar',
    'application/vnd.oci.image.layer.v1.tar+gzip': 'tar+gzip',
    'application/vnd.oci.image.layer.v1.tar+zstd': 'tar+zstd',
    'application/vnd.docker.image.rootfs.diff.tar.gzip': 'tar+gzip',
    'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'foreign tar+gzip',
    'application/vnd.oci.empty.v1+json': 'empty',
    'application/vnd.in-toto+json': 'in-toto attestation',
  };
  return known[mediaType] ?? mediaType;
}
