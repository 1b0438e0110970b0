import { RegistryError, formatContentRange, parseDigest, parseRange } from '@wharf/oci';
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
  let blob = await ctx.repository.getBlob(image, digest);
  if (!blob) throw unknownBlob(ctx, digest);
  const rangeHeader = ctx.req.headers.range;
  // A store that hands out presigned URLs sends the client there (Distribution's `redirect`); ranges are served here.
  const location = rangeHeader === undefined ? await blob.location?.() : null;
  if (location) {
    await blob.close();
    send(ctx.res, 307, { ...common(digest), Location: location }, undefined, false);
    return;
  }
  if (rangeHeader !== undefined) {
    // The size is known only now: the range is resolved once, against it, and the content narrowed to it.
    const range = parseRange(rangeHeader, blob.size);
    if (range.kind === 'unsatisfiable') {
      await blob.close();
      throw new RegistryError('RANGE_INVALID', `range ${rangeHeader} is outside the blob's ${blob.size} bytes`, undefined, {
        headers: { 'Content-Range': `bytes */${blob.size}` },
      });
    }
    if (range.kind === 'range') blob = blob.slice({ start: range.start, end: range.end });
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
