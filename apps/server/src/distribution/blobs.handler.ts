import { pipeline } from 'node:stream/promises';
import { RegistryError, formatContentRange, parseDigest, parseRange } from '@wharf/oci';
import type { RegistryContext } from './context';
import { API_VERSION_HEADER, send } from './http-io';

export async function getBlob(ctx: RegistryContext, digest: string): Promise<void> {
  parseDigest(digest);
  const { image } = ctx.target;
  const info = await ctx.repository.statBlob(image, digest);
  if (!info) throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is not in ${ctx.target.name}`, { digest });
  const common = { 'Docker-Content-Digest': digest, 'Accept-Ranges': 'bytes', ETag: `"${digest}"` };
  const range = parseRange(ctx.req.headers.range, info.size);
  if (range.kind === 'unsatisfiable') {
    throw new RegistryError('RANGE_INVALID', `range ${ctx.req.headers.range} is outside the blob's ${info.size} bytes`, undefined, {
      headers: { 'Content-Range': `bytes */${info.size}` },
    });
  }
  if (ctx.head) {
    send(ctx.res, 200, { ...common, 'Content-Type': 'application/octet-stream', 'Content-Length': info.size }, undefined, true);
    return;
  }
  const byteRange = range.kind === 'range' ? { start: range.start, end: range.end } : undefined;
  const blob = await ctx.repository.getBlob(image, digest, byteRange);
  if (!blob) throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is not in ${ctx.target.name}`, { digest });
  const partial = blob.range !== undefined;
  const length = partial ? blob.range!.end - blob.range!.start + 1 : blob.size;
  ctx.res.writeHead(partial ? 206 : 200, {
    ...API_VERSION_HEADER,
    ...common,
    'Content-Type': 'application/octet-stream',
    'Content-Length': length,
    ...(partial ? { 'Content-Range': formatContentRange(blob.range!.start, blob.range!.end, blob.size) } : {}),
  });
  await pipeline(blob.stream, ctx.res);
}

export async function deleteBlob(ctx: RegistryContext, digest: string): Promise<void> {
  parseDigest(digest);
  await ctx.repository.deleteBlob(ctx.target.image, digest);
  send(ctx.res, 202, {});
}
