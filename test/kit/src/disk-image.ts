import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Blob, type Descriptor, blobOf, descriptorOf, imageBody, imageConfig, manifestOf } from './content';
import { MT } from './media-types';
import { writeRandomLayer } from './random-layer';

/** A blob with its media type (what a manifest's descriptor says of it). */
export interface TypedBlob extends Blob {
  mediaType: string;
}

/** A layer kept on disk (any size). */
export interface LayerFile extends Descriptor {
  path: string;
  /** Digest of the uncompressed tar (the config's rootfs.diff_ids entry). */
  diffId: string;
}

export interface DiskImage {
  format: 'oci' | 'docker';
  layers: LayerFile[];
  config: TypedBlob;
  manifest: TypedBlob;
}

export interface DiskImageOptions {
  /** Payload size in bytes of each layer's single random file (the blob is a little larger: tar framing). */
  layers: number[];
  /** Manifest and media types: OCI image manifest (default) or Docker schema 2. */
  format?: 'oci' | 'docker';
  /** gzip the layers (stored blocks). Needed when skopeo must keep digests: it gzips uncompressed layers for registries. */
  gzip?: boolean;
}

/**
 * Builds an image real clients can pull and run under `dir`: real layer tarballs of random files
 * (streamed to disk), an image config whose diff_ids match them, and a manifest. Every build is
 * unique (random bytes and a nonce label).
 */
export async function buildDiskImage(dir: string, opts: DiskImageOptions): Promise<DiskImage> {
  const format = opts.format ?? 'oci';
  const gzip = opts.gzip ?? false;
  mkdirSync(dir, { recursive: true });
  const oci = format === 'oci';
  const layerType = oci ? (gzip ? MT.ociLayer : MT.ociLayerTar) : gzip ? MT.dockerLayer : MT.dockerLayerTar;

  const layers: LayerFile[] = [];
  for (const [i, payload] of opts.layers.entries()) {
    const written = await writeRandomLayer(join(dir, `layer-${i}.tar${gzip ? '.gz' : ''}`), payload, {
      gzip,
      fileName: `layer-${i}.bin`,
    });
    layers.push({ ...written, mediaType: layerType });
  }
  const config = typedBlob(oci ? MT.ociConfig : MT.dockerConfig, imageConfig(layers.map((l) => l.diffId)));
  const mediaType = oci ? MT.ociManifest : MT.dockerManifest;
  const body = imageBody({ mediaType, config: descriptorOf(config.mediaType, config), layers: layers.map(descriptor) });
  const { bytes } = manifestOf(body, mediaType, [], 2);
  const manifest = typedBlob(mediaType, bytes);
  return { format, layers, config, manifest };
}

/** `content` as a blob of `mediaType` (a config, a manifest, any small blob to push). */
export function typedBlob(mediaType: string, content: Buffer | string): TypedBlob {
  return { mediaType, ...blobOf(content) };
}

export function descriptor(blob: Descriptor): Descriptor {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size };
}
