import { createHash, randomFillSync, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const BLOCK = 512;
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
  yield tarHeader(name, size);
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

/** A POSIX ustar header for a regular file, mode 0644, owned by root, mtime 0. */
function tarHeader(name: string, size: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  if (size >= 8 ** 11) throw new Error('layer payload too large for a ustar header');
  const h = Buffer.alloc(BLOCK);
  const put = (offset: number, length: number, value: string) => h.write(value, offset, length, 'ascii');
  const octal = (offset: number, length: number, value: number) =>
    put(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  put(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, 0);
  put(148, 8, '        '); // checksum placeholder: counted as spaces
  put(156, 1, '0');
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  put(265, 32, 'root');
  put(297, 32, 'root');
  let sum = 0;
  for (const byte of h) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}
