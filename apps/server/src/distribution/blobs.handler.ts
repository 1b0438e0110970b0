import { pipeline } from 'node:stream/promises';
import { RegistryError, formatContentRange, parseDigest, parseRange } from '@wharf/oci';
import type { RegistryContext } from './context';
import { API_VERSION_HEADER, send } from './http-io';

export async function getBlob(ctx: RegistryContext, digest: string): Promise<void> {
  parseDigest(digest);
  const { image } = ctx.target;
  const rangeHeader = ctx.req.headers.range;
  let byteRange: { start: number; end: number } | undefined;
  if (ctx.head || rangeHeader !== undefined) {
    // HEAD and ranged GETs need the size first; a plain GET goes straight to the bytes (one lookup on the hot path).
    const info = await ctx.repository.statBlob(image, digest);
    if (!info) throw unknownBlob(ctx, digest);
    if (ctx.head) {
      send(ctx.res, 200, { ...common(digest), 'Content-Type': 'application/octet-stream', 'Content-Length': info.size }, undefined, true);
      return;
    }
    const range = parseRange(rangeHeader, info.size);
    if (range.kind === 'unsatisfiable') {
      throw new RegistryError('RANGE_INVALID', `range ${rangeHeader} is outside the blob's ${info.size} bytes`, undefined, {
        headers: { 'Content-Range': `bytes */${info.size}` },
      });
    }
    if (range.kind === 'range') byteRange = { start: range.start, end: range.end };
  }
  const blob = await ctx.repository.getBlob(image, digest, byteRange);
  if (!blob) throw unknownBlob(ctx, digest);
  const partial = blob.range !== undefined;
  const length = partial ? blob.range!.end - blob.range!.start + 1 : blob.size;
  ctx.res.writeHead(partial ? 206 : 200, {
    ...API_VERSION_HEADER,
    ...common(digest),
    'Content-Type': 'application/octet-stream',
    'Content-Length': length,
    ...(partial ? { 'Content-Range': formatContentRange(blob.range!.start, blob.range!.end, blob.size) } : {}),
  });
  await pipeline(blob.stream, ctx.res);
}

function common(digest: string): Record<string, string> {
  return { 'Docker-Content-Digest': digest, 'Accept-Ranges': 'bytes', ETag: `"${digest}"` };
}

function unknownBlob(ctx: RegistryContext, digest: string): RegistryError {
  return new RegistryError('BLOB_UNKNOWN', `blob ${digest} is not in ${ctx.target.name}`, { digest });
}

export async function deleteBlob(ctx: RegistryContext, digest: string): Promise<void> {
  parseDigest(digest);
  await ctx.repository.deleteBlob(ctx.target.image, digest);
  send(ctx.res, 202, {});
}
