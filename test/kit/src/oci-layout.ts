import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { descriptor, type DiskImage } from './disk-image';
import type { Descriptor } from './content';
import { digestHex, sha256 } from './digest';

const REF_NAME = 'org.opencontainers.image.ref.name';

/** Path of a blob inside an OCI image layout directory. */
export function layoutBlobPath(dir: string, digest: string): string {
  return join(dir, 'blobs', 'sha256', digestHex(digest));
}

/**
 * Writes `image` as an OCI image layout (oci-layout, index.json, blobs/sha256/...) tagged `tag`,
 * which skopeo reads as `oci:<dir>:<tag>`. Layer files are hard-linked when possible, not copied.
 */
export function writeOciLayout(dir: string, image: DiskImage, tag: string): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const layer of image.layers) {
    const target = layoutBlobPath(dir, layer.digest);
    if (existsSync(target)) continue;
    try {
      linkSync(layer.path, target);
    } catch {
      copyFileSync(layer.path, target);
    }
  }
  writeFileSync(layoutBlobPath(dir, image.config.digest), image.config.bytes);
  writeFileSync(layoutBlobPath(dir, image.manifest.digest), image.manifest.bytes);
  const index = {
    schemaVersion: 2,
    manifests: [{ ...descriptor(image.manifest), annotations: { [REF_NAME]: tag } }],
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
}

export interface LayoutImage {
  manifest: Descriptor & { bytes: Buffer };
  /** Parsed manifest. */
  manifestJson: { mediaType?: string; config: Descriptor; layers: Descriptor[] };
  config: Descriptor;
  layers: Descriptor[];
  blobPath(digest: string): string;
}

/** Reads the image tagged `tag` from an OCI image layout directory (for example one skopeo wrote). */
export function readOciLayout(dir: string, tag: string): LayoutImage {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    manifests: Array<Descriptor & { annotations?: Record<string, string> }>;
  };
  const entry = index.manifests.find((m) => m.annotations?.[REF_NAME] === tag) ?? (index.manifests.length === 1 ? index.manifests[0] : undefined);
  if (!entry) throw new Error(`no manifest tagged ${tag} in ${dir}/index.json`);
  const bytes = readFileSync(layoutBlobPath(dir, entry.digest));
  if (sha256(bytes) !== entry.digest) throw new Error(`manifest blob in ${dir} does not match its digest`);
  const manifestJson = JSON.parse(bytes.toString('utf8'));
  return {
    manifest: { mediaType: entry.mediaType, digest: entry.digest, size: entry.size, bytes },
    manifestJson,
    config: manifestJson.config,
    layers: manifestJson.layers,
    blobPath: (digest: string) => layoutBlobPath(dir, digest),
  };
}
