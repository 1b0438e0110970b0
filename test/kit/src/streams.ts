import { Readable } from 'node:stream';

/** A source yielding `data` in `chunkSize` pieces, yielding to the event loop in between (like a socket). */
export function streamOf(data: Buffer | string, chunkSize = 64 * 1024): Readable {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Readable.from(
    (async function* () {
      for (let off = 0; off < bytes.length; off += chunkSize) {
        await new Promise((r) => setImmediate(r));
        yield bytes.subarray(off, Math.min(off + chunkSize, bytes.length));
      }
    })(),
    { objectMode: false },
  );
}

/** Reads a stream to its end (small bodies only). */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(parts);
}
