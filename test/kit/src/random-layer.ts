import { createHash, randomFillSync, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BLOCK, ustarHeader } from '../../../scripts/lib/ustar';

const CHUNK = 1 << 20;

export interface WrittenLayer {
  path: string;
  /** Digest and size of the blob as stored (compressed when gzip). */
  digest: string;
  size: number;
  /** Digest of the uncompressed tar (the config's rootfs.diff_ids entry). */
  diffId: string;
}

/**
 * Writes a real layer tarball to `path`: one regular file `fileName` holding `payloadBytes` random
 * bytes, streamed in 1 MiB pieces so any size works without memory. With `gzip` the tar is
 * wrapped in gzip (level 0 by default: random bytes do not compress, and a stored-block gzip is
 * still a gzip that every client recognises).
 */
export async function writeRandomLayer(
  path: string,
  payloadBytes: number,
  { gzip = false, gzipLevel = 0, fileName = 'random.bin' }: { gzip?: boolean; gzipLevel?: number; fileName?: string } = {},
): Promise<WrittenLayer> {
  const diffHash = createHash('sha256');
  const blobHash = createHash('sha256');
  let size = 0;
  const stages: NodeJS.ReadWriteStream[] = [tap(diffHash)];
  if (gzip) stages.push(createGzip({ level: gzipLevel }));
  stages.push(
    tap(blobHash, (n) => {
      size += n;
    }),
  );
  await pipeline([Readable.from(tarWithRandomFile(fileName, payloadBytes)), ...stages, createWriteStream(path)]);
  return {
    path,
    digest: `sha256:${blobHash.digest('hex')}`,
    size,
    diffId: `sha256:${diffHash.digest('hex')}`,
  };
}

function tap(hash: Hash, count?: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      count?.(chunk.length);
      cb(null, chunk);
    },
  });
}

function* tarWithRandomFile(name: string, size: number): Generator<Buffer> {
  yield ustarHeader(name, size);
  let left = size;
  while (left > 0) {
    const n = Math.min(CHUNK, left);
    yield randomFillSync(Buffer.allocUnsafe(n));
    left -= n;
  }
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  // padding of the file's last block, then the two zero blocks that end an archive
  yield Buffer.alloc(pad + 2 * BLOCK);
}
