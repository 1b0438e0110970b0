/**
 * Registry content built in code, for every test tier: blobs, image manifests, indexes and referrer
 * artifacts with real digests. No binary fixtures. (Layers of any size on disk: disk-image.ts.)
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from './digest';
import { MT } from './media-types';

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

export interface Manifest extends Blob {
  mediaType: string;
  /** Blobs the manifest references (config first), to be pushed before it. */
  blobs: Blob[];
}

/** An image manifest with its parts. */
export interface ImageManifest extends Manifest {
  config: Blob;
  layers: Blob[];
}

export function blobOf(bytes: Buffer | string): Blob {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return { bytes: b, digest: sha256(b), size: b.length };
}

/** Random bytes, so that every test's content is new to the registry. */
export function randomBlob(size = 1024): Blob {
  return blobOf(randomBytes(size));
}

export function descriptorOf(mediaType: string, blob: Pick<Blob, 'digest' | 'size'>, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType, digest: blob.digest, size: blob.size, ...extra };
}

export function manifestDescriptor(m: Pick<Manifest, 'mediaType' | 'digest' | 'size'>, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType: m.mediaType, digest: m.digest, size: m.size, ...extra };
}

const EPOCH = '2024-01-01T00:00:00Z';

/**
 * An image config whose rootfs lists `diffIds`, with a random label (so its digest is unique) and one
 * history entry per layer: what docker and podman need to run the image.
 */
export function imageConfig(diffIds: string[]): Buffer {
  const config = {
    architecture: 'amd64',
    os: 'linux',
    created: EPOCH,
    config: { Labels: { 'org.wharf.test.nonce': randomBytes(8).toString('hex') }, Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map((_, i) => ({ created: EPOCH, created_by: `wharf test layer ${i}` })),
  };
  return Buffer.from(JSON.stringify(config));
}

/** An image config with random content (its digest is unique). */
export function randomConfig(): Blob {
  return blobOf(imageConfig([sha256(randomBytes(16))]));
}

/** The OCI empty descriptor's content, `{}`. */
export const EMPTY_CONFIG: Blob = blobOf('{}');

/**
 * Serializes like no JSON library would by default (3-space indent, trailing newline), so a test
 * comparing bytes catches any re-serialization.
 */
export function manifestBytes(value: unknown, indent: number | string = 3): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, indent)}\n`);
}

export function manifestOf(value: unknown, mediaType: string, blobs: Blob[] = [], indent: number | string = 3): Manifest {
  const bytes = manifestBytes(value, indent);
  return { bytes, digest: sha256(bytes), mediaType, size: bytes.length, blobs };
}

export interface ImageBody {
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** Written into the JSON (defaults to `mediaType`); `null` leaves the field out. */
  bodyMediaType?: string | null;
}

/** The JSON of an image manifest (what imageManifest and the on-disk builder serialize). */
export function imageBody(o: ImageBody): Record<string, unknown> {
  const bodyMediaType = o.bodyMediaType === undefined ? o.mediaType : o.bodyMediaType;
  return {
    schemaVersion: 2,
    ...(bodyMediaType !== null ? { mediaType: bodyMediaType } : {}),
    ...(o.artifactType ? { artifactType: o.artifactType } : {}),
    config: o.config,
    layers: o.layers,
    ...(o.subject ? { subject: o.subject } : {}),
    ...(o.annotations ? { annotations: o.annotations } : {}),
  };
}

export interface ImageOptions {
  /** OCI image manifest (default) or Docker schema 2. */
  mediaType?: string;
  /** Default: a config listing the layers. */
  config?: Blob;
  configMediaType?: string;
  /** Default: two random layers (2048 and 512 bytes). */
  layers?: Blob[];
  layerMediaType?: string;
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** Written into the JSON (defaults to `mediaType`); `null` leaves the field out. */
  bodyMediaType?: string | null;
}

/** An image manifest (OCI by default, or Docker schema 2) over a unique config and random layers. */
export function imageManifest(options: ImageOptions = {}): ImageManifest {
  const mediaType = options.mediaType ?? MT.ociManifest;
  const docker = mediaType === MT.dockerManifest;
  const layers = options.layers ?? [randomBlob(2048), randomBlob(512)];
  const config = options.config ?? blobOf(imageConfig(layers.map((l) => l.digest)));
  const configMediaType = options.configMediaType ?? (docker ? MT.dockerConfig : MT.ociConfig);
  const layerMediaType = options.layerMediaType ?? (docker ? MT.dockerLayer : MT.ociLayer);
  const body = imageBody({
    ...options,
    mediaType,
    config: descriptorOf(configMediaType, config),
    layers: layers.map((l) => descriptorOf(layerMediaType, l)),
  });
  return { ...manifestOf(body, mediaType, [config, ...layers]), config, layers };
}

/** An OCI artifact manifest (empty config, one blob) pointing at `subject`. */
export function artifactManifest(subject: Descriptor | undefined, artifactType: string, annotations?: Record<string, string>): ImageManifest {
  const payload = randomBlob(300);
  const body = imageBody({
    mediaType: MT.ociManifest,
    artifactType,
    config: descriptorOf(MT.ociEmpty, EMPTY_CONFIG),
    layers: [descriptorOf('application/vnd.example.payload', payload)],
    ...(subject ? { subject } : {}),
    ...(annotations ? { annotations } : {}),
  });
  return { ...manifestOf(body, MT.ociManifest, [EMPTY_CONFIG, payload], 2), config: EMPTY_CONFIG, layers: [payload] };
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

const ARCHITECTURES = ['amd64', 'arm64', 's390x', 'ppc64le'];

/** The descriptors of `children` for a multi-platform index, each with its own platform. */
export function platformDescriptors(children: Manifest[]): Descriptor[] {
  return children.map((c, i) => manifestDescriptor(c, { platform: { architecture: ARCHITECTURES[i % ARCHITECTURES.length]!, os: 'linux' } }));
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
