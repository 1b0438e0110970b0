// Benchmark content: deterministic pseudo-random bytes (AES-256-CTR keystream, incompressible,
// produced piece by piece so a 1 GiB layer is never whole in memory) and small images.
import { createCipheriv, createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { BLOCK, ustarHeader } from '../../../lib/ustar';

const PIECE = 1024 * 1024;
const ZEROES = Buffer.alloc(PIECE);

/** A reproducible byte source: the same `seed` always yields the same bytes. */
export class RandomSource {
  constructor(
    readonly seed: string,
    readonly size: number,
  ) {}

  /** Calls `await sink(buf)` for bytes [start, end) in pieces of at most 1 MiB. */
  async forEach(start: number, end: number, sink: (piece: Buffer) => unknown): Promise<void> {
    const key = createHash('sha256').update(`wharf-bench:${this.seed}`).digest();
    // CTR mode: counter block = start / 16, so any 16-byte aligned offset can be resumed directly.
    if (start % 16 !== 0) throw new Error('ranges must start on a 16-byte boundary');
    const iv = Buffer.alloc(16);
    iv.writeBigUInt64BE(BigInt(start / 16), 8);
    const cipher = createCipheriv('aes-256-ctr', key, iv);
    for (let pos = start; pos < end; pos += PIECE) {
      const n = Math.min(PIECE, end - pos);
      await sink(cipher.update(n === PIECE ? ZEROES : ZEROES.subarray(0, n)));
    }
  }

  /** sha256 digest of the whole content (streamed). */
  async digest(): Promise<string> {
    const hash = createHash('sha256');
    await this.forEach(0, this.size, (buf) => hash.update(buf));
    return `sha256:${hash.digest('hex')}`;
  }
}

export function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

/** A one-file ustar archive (what a real image layer is, before gzip). */
export function tarOneFile(name: string, content: Buffer, mtime = 1704067200): Buffer {
  const header = ustarHeader(name, content.length, mtime);
  const padding = Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK);
  return Buffer.concat([header, content, padding, Buffer.alloc(2 * BLOCK)]);
}

/** A blob as a manifest names it. */
export interface BlobRef {
  digest: string;
  size: number;
}

export const MEDIA = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};

export function imageConfig(diffIds: readonly string[], label: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['/bin/sh'], Labels: { 'org.example.bench': label } },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: diffIds.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: `wharf bench ${label}` })),
    }),
  );
}

/** Docker schema 2 manifest bytes for a config and layers ({digest, size}). */
export function dockerManifest(config: Buffer, layers: readonly BlobRef[]): Buffer {
  return Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: MEDIA.manifest,
        config: { mediaType: MEDIA.config, size: config.length, digest: sha256(config) },
        layers: layers.map((l) => ({ mediaType: MEDIA.layer, size: l.size, digest: l.digest })),
      },
      null,
      3,
    ),
  );
}

/** The small image: one gzipped tar layer with one text file, its config and manifest (all bytes in memory). */
export function smallImage(): { layer: Buffer; config: Buffer; manifest: Buffer; digest: string } {
  const tar = tarOneFile('hello.txt', Buffer.from('hello from the wharf benchmark\n'));
  const layer = zlib.gzipSync(tar, { level: 9 });
  const config = imageConfig([sha256(tar)], 'small');
  const manifest = dockerManifest(config, [{ digest: sha256(layer), size: layer.length }]);
  return { layer, config, manifest, digest: sha256(manifest) };
}
