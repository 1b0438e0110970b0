import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';

export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Hex part of a "sha256:<hex>" digest. */
export function digestHex(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m) throw new Error(`not a sha256 digest: ${digest}`);
  return m[1]!;
}

/** Digest and byte count of a stream, read to its end without holding it in memory. */
export async function digestStream(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

export async function digestFile(path: string): Promise<{ digest: string; size: number }> {
  const result = await digestStream(createReadStream(path, { highWaterMark: 1 << 20 }));
  if (result.size !== statSync(path).size) throw new Error(`${path} changed while hashing`);
  return result;
}
