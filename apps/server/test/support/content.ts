import { createHash, randomBytes } from 'node:crypto';

/** Media types, spelled out here (not imported from the server) so the tests check the server against the spec. */
export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
} as const;

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function sha512(data: Buffer | string): string {
  return `sha512:${createHash('sha512').update(data).digest('hex')}`;
}

export interface Blob {
  bytes: Buffer;
  digest: string;
  size: number;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

export function blobOf(bytes: Buffer): Blob {
  return { bytes, digest: sha256(bytes), size: bytes.length };
}

/** Random bytes, so that every test's content is new to the registry. */
export function randomBlob(size = 1024): Blob {
  return blobOf(randomBytes(size));
}

/** A digest of content nobody has pushed. */
export function unknownDigest(): string {
  return sha256(randomBytes(32));
}

export function descriptorOf(mediaType: string, blob: Blob, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType, digest: blob.digest, size: blob.size, ...extra };
}

/** An OCI image config with random content (its digest is unique). */
export function randomConfig(): Blob {
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: { Env: [`NONCE=${randomBytes(8).toString('hex')}`] },
    rootfs: { type: 'layers', diff_ids: [sha256(randomBytes(16))] },
  };
  return blobOf(Buffer.from(JSON.stringify(config)));
}

/** The OCI empty descriptor's content, `{}`. */
export const EMPTY_CONFIG: Blob = blobOf(Buffer.from('{}'));

export interface Manifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  size: number;
  /** Blobs the manifest references (config first), to be pushed before it. */
  blobs: Blob[];
}

function manifestOf(value: unknown, mediaType: string, blobs: Blob[], indent: number | string = 3): Manifest {
  // Unusual indentation and a trailing newline: a registry that re-serialises would change the digest.
  const bytes = Buffer.from(`${JSON.stringify(value, null, indent)}\n`);
  return { bytes, digest: sha256(bytes), mediaType, size: bytes.length, blobs };
}

export interface ImageOptions {
  mediaType?: string;
  config?: Blob;
  configMediaType?: string;
  layers?: Blob[];
  layerMediaType?: string;
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** Written into the JSON (defaults to `mediaType`); `null` leaves the field out. */
  bodyMediaType?: string | null;
}

/** An image manifest (OCI by default, or Docker schema 2) over a random config and random layers. */
export function imageManifest(options: ImageOptions = {}): Manifest {
  const mediaType = options.mediaType ?? MT.ociManifest;
  const docker = mediaType === MT.dockerManifest;
  const config = options.config ?? randomConfig();
  const layers = options.layers ?? [randomBlob(2048), randomBlob(512)];
  const configMediaType = options.configMediaType ?? (docker ? MT.dockerConfig : MT.ociConfig);
  const layerMediaType = options.layerMediaType ?? (docker ? MT.dockerLayer : MT.ociLayer);
  const bodyMediaType = options.bodyMediaType === undefined ? mediaType : options.bodyMediaType;
  const value: Record<string, unknown> = {
    schemaVersion: 2,
    ...(bodyMediaType !== null ? { mediaType: bodyMediaType } : {}),
    ...(options.artifactType ? { artifactType: options.artifactType } : {}),
    config: descriptorOf(configMediaType, config),
    layers: layers.map((l) => descriptorOf(layerMediaType, l)),
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  return manifestOf(value, mediaType, [config, ...layers]);
}

/** An OCI artifact manifest (empty config, one blob) pointing at `subject`. */
export function artifactManifest(subject: Descriptor | undefined, artifactType: string, annotations?: Record<string, string>): Manifest {
  const payload = randomBlob(300);
  const value: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    artifactType,
    config: descriptorOf(MT.ociEmpty, EMPTY_CONFIG),
    layers: [descriptorOf('application/vnd.example.payload', payload)],
    ...(subject ? { subject } : {}),
    ...(annotations ? { annotations } : {}),
  };
  return manifestOf(value, MT.ociManifest, [EMPTY_CONFIG, payload], 2);
}

export interface IndexOptions {
  mediaType?: string;
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** An index (OCI by default, or a Docker manifest list) over child manifests. */
export function indexManifest(children: Descriptor[], options: IndexOptions = {}): Manifest {
  const mediaType = options.mediaType ?? MT.ociIndex;
  const value: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType,
    ...(options.artifactType ? { artifactType: options.artifactType } : {}),
    manifests: children,
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  return manifestOf(value, mediaType, [], '\t');
}

export function manifestDescriptor(m: Manifest, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType: m.mediaType, digest: m.digest, size: m.size, ...extra };
}

/** A manifest of exactly `size` bytes (padded through an annotation), referencing `config` and `layers`. */
export function manifestOfSize(size: number, config: Blob, layers: Blob[]): Manifest {
  const base = {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: descriptorOf(MT.ociConfig, config),
    layers: layers.map((l) => descriptorOf(MT.ociLayer, l)),
    annotations: { padding: '' },
  };
  const empty = Buffer.byteLength(JSON.stringify(base));
  if (empty > size) throw new Error(`a manifest cannot be as small as ${size} bytes`);
  base.annotations.padding = 'x'.repeat(size - empty);
  const bytes = Buffer.from(JSON.stringify(base));
  if (bytes.length !== size) throw new Error(`padding miscalculated: ${bytes.length} != ${size}`);
  return { bytes, digest: sha256(bytes), mediaType: MT.ociManifest, size, blobs: [config, ...layers] };
}

/** A unique, valid image/repository name component for one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
