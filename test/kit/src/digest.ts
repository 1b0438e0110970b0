import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

/** `sha256:<hex>` of `data`: the kit's one digest function (tests compute digests themselves, not with the server's code). */
export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function sha512(data: Buffer | string): string {
  return `sha512:${createHash('sha512').update(data).digest('hex')}`;
}

/** A digest of content nobody has pushed. */
export function unknownDigest(): string {
  return sha256(randomBytes(32));
}

/** Hex part of a "sha256:<hex>" digest. */
export function digestHex(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m) throw new Error(`not a sha256 digest: ${digest}`);
  return m[1]!;
}

/** Digest and byte count of a stream (or any iterable of chunks), read to its end without holding it in memory. */
export async function digestStream(stream: AsyncIterable<unknown> | Iterable<unknown>): Promise<{ digest: string; size: number }> {
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
