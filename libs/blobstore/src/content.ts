import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryError } from '@wharf/oci';
import type { BlobContent, ByteRange } from './blob-store';

/** Checks a range against a blob of `size` bytes: RegistryError RANGE_INVALID (416) when it is not inside. */
export function checkRange(range: ByteRange, size: number, digest: string): void {
  const ok =
    Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.start <= range.end && range.end < size;
  if (!ok) {
    throw new RegistryError('RANGE_INVALID', `range ${range.start}-${range.end} is outside the blob (${size} bytes)`, { digest, size });
  }
}

/** Inclusive [start, end] of a content: its range, else the whole blob (an empty blob is 0..-1). */
export function boundsOf(content: { size: number; range: ByteRange | undefined }): { start: number; end: number } {
  return content.range ? { start: content.range.start, end: content.range.end } : { start: 0, end: content.size - 1 };
}

/**
 * Content whose bytes come as a stream of a byte range, e.g. an object store's ranged GET: `openRange(start,
 * end)` is called once, by `deliver` or `stream`; `release` (when given) once the content is closed unused.
 * For stores without a faster way to send.
 */
export class StreamedContent implements BlobContent {
  private used = false;

  constructor(
    readonly digest: string,
    readonly size: number,
    private readonly openRange: (start: number, end: number) => Readable,
    readonly range: ByteRange | undefined = undefined,
    private readonly release?: () => void,
  ) {}

  slice(range: ByteRange): BlobContent {
    this.use();
    try {
      checkRange(range, this.size, this.digest);
    } catch (err) {
      this.release?.();
      throw err;
    }
    return new StreamedContent(this.digest, this.size, this.openRange, range, this.release);
  }

  async deliver(response: ServerResponse): Promise<void> {
    try {
      await pipeline(this.stream(), response);
    } catch (err) {
      response.destroy();
      throw err;
    }
  }

  stream(): Readable {
    this.use();
    const { start, end } = boundsOf(this);
    return this.openRange(start, end);
  }

  async close(): Promise<void> {
    if (this.used) return;
    this.used = true;
    this.release?.();
  }

  private use(): void {
    if (this.used) throw new Error(`blob content ${this.digest} was already used`);
    this.used = true;
  }
}

/** The whole content in memory: only for small blobs (manifests). */
export async function readAll(content: BlobContent): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of content.stream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
