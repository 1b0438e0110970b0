import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Digest } from './digest';
import { MediaType } from './media-types';
import { writeRandomLayer } from './random-layer';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** A blob kept on disk (layers: any size). */
export interface FileBlob extends Descriptor {
  path: string;
}

/** A small blob kept in memory (config, manifest). */
export interface MemBlob extends Descriptor {
  bytes: Buffer;
}

export interface LayerBlob extends FileBlob {
  diffId: string;
}

export interface BuiltImage {
  format: 'oci' | 'docker';
  layers: LayerBlob[];
  config: MemBlob;
  manifest: MemBlob;
}

export interface BuildImageOptions {
  /** Payload size in bytes of each layer's single random file (the blob is a little larger: tar framing). */
  layers: number[];
  /** Manifest and media types: OCI image manifest (default) or Docker schema 2. */
  format?: 'oci' | 'docker';
  /** gzip the layers (stored blocks). Needed when skopeo must keep digests: it gzips uncompressed layers for registries. */
  gzip?: boolean;
}

/**
 * Builds a synthetic image under `dir`: random layer files (streamed to disk), an image config
 * whose diff_ids match them, and a manifest. Every build is unique (random bytes and a nonce label).
 */
export async function buildImage(dir: string, opts: BuildImageOptions): Promise<BuiltImage> {
  const format = opts.format ?? 'oci';
  const gzip = opts.gzip ?? false;
  mkdirSync(dir, { recursive: true });
  const layerType =
    format === 'oci'
      ? gzip
        ? MediaType.ociLayerGzip
        : MediaType.ociLayer
      : gzip
        ? MediaType.dockerLayerGzip
        : MediaType.dockerLayer;

  const layers: LayerBlob[] = [];
  for (const [i, payload] of opts.layers.entries()) {
    const written = await writeRandomLayer(join(dir, `layer-${i}.tar${gzip ? '.gz' : ''}`), payload, {
      gzip,
      fileName: `layer-${i}.bin`,
    });
    layers.push({ ...written, mediaType: layerType });
  }

  const nonce = randomBytes(8).toString('hex');
  const configJson = {
    architecture: 'amd64',
    os: 'linux',
    created: '2024-01-01T00:00:00Z',
    config: { Labels: { 'org.wharf.test.nonce': nonce }, Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `wharf-e2e layer ${i}` })),
  };
  const config = memBlob(format === 'oci' ? MediaType.ociConfig : MediaType.dockerConfig, JSON.stringify(configJson));

  const manifestJson = {
    schemaVersion: 2,
    mediaType: format === 'oci' ? MediaType.ociManifest : MediaType.dockerManifest,
    config: descriptor(config),
    layers: layers.map(descriptor),
  };
  const manifest = memBlob(manifestJson.mediaType, JSON.stringify(manifestJson, null, 2));
  return { format, layers, config, manifest };
}

export function memBlob(mediaType: string, content: string | Buffer): MemBlob {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length, bytes };
}

export function descriptor(blob: Descriptor): Descriptor {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size };
}
