import { RegistryError, formatContentRange, parseDigest, parseRange } from '@wharf/oci';
import type { BlobHandle } from '@wharf/registry-core';
import type { RegistryContext } from './context';
import { API_VERSION_HEADER, send } from './http-io';

export async function getBlob(ctx: RegistryContext, digest: string): Promise<void> {
  parseDigest(digest);
  const { image } = ctx.target;
  if (ctx.head) {
    const info = await ctx.repository.statBlob(image, digest);
    if (!info) throw unknownBlob(ctx, digest);
    send(ctx.res, 200, { ...common(digest), 'Content-Type': 'application/octet-stream', 'Content-Length': info.size }, undefined, true);
    return;
  }
  const opened = await ctx.repository.getBlob(image, digest);
  if (!opened) throw unknownBlob(ctx, digest);
  let blob: BlobHandle;
  try {
    const narrowed = await redirectOrNarrow(ctx, opened, digest);
    if (!narrowed) return;
    blob = narrowed;
  } catch (err) {
    // A refused Range (or a store failing to presign) must not leave the content's file open until GC.
    await opened.close();
    throw err;
  }
  const { range } = blob;
  ctx.res.writeHead(range ? 206 : 200, {
    ...API_VERSION_HEADER,
    ...common(digest),
    'Content-Type': 'application/octet-stream',
    'Content-Length': range ? range.end - range.start + 1 : blob.size,
    ...(range ? { 'Content-Range': formatContentRange(range.start, range.end, blob.size) } : {}),
  });
  // The store that made the content sends it (sendfile, a followed fill, a stream...).
  await blob.deliver(ctx.res);
}

/** The 307 to a presigned URL (answered here; null), or the content narrowed to the request's Range. */
async function redirectOrNarrow(ctx: RegistryContext, blob: BlobHandle, digest: string): Promise<BlobHandle | null> {
  const rangeHeader = ctx.req.headers.range;
  // A store that hands out presigned URLs sends the client there (Distribution's `redirect`); ranges are served here.
  const location = rangeHeader === undefined ? await blob.location?.() : null;
  if (location) {
    await blob.close();
    send(ctx.res, 307, { ...common(digest), Location: location }, undefined, false);
    return null;
  }
  if (rangeHeader === undefined) return blob;
  // The size is known only now: the range is resolved once, against it, and the content narrowed to it.
  const range = parseRange(rangeHeader, blob.size);
  if (range.kind === 'unsatisfiable') {
    throw new RegistryError('RANGE_INVALID', `range ${rangeHeader} is outside the blob's ${blob.size} bytes`, undefined, {
      headers: { 'Content-Range': `bytes */${blob.size}` },
    });
  }
  return range.kind === 'range' ? blob.slice({ start: range.start, end: range.end }) : blob;
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
