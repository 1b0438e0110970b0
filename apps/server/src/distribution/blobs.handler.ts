import { RegistryError, formatContentRange, parseDigest, parseRange } from '@wharf/oci';
import type { RegistryContext } from './context';
import { API_VERSION_HEADER, send } from './http-io';
import { sendBlob } from './send-blob';

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
  if (rangeHeader !== undefined) {
    // The size is known only now; a real sub-range is asked for again (cheap: a file open, or joining the running fill).
    const range = parseRange(rangeHeader, blob.size);
    if (range.kind === 'unsatisfiable') {
      blob.stream.destroy();
      throw new RegistryError('RANGE_INVALID', `range ${rangeHeader} is outside the blob's ${blob.size} bytes`, undefined, {
        headers: { 'Content-Range': `bytes */${blob.size}` },
      });
    }
    if (range.kind === 'range' && (range.start > 0 || range.end < blob.size - 1)) {
      blob.stream.destroy();
      blob = await ctx.repository.getBlob(image, digest, { start: range.start, end: range.end });
      if (!blob) throw unknownBlob(ctx, digest);
    } else if (range.kind === 'range') {
      const whole = blob;
      blob = {
        digest,
        size: whole.size,
        range: { start: 0, end: whole.size - 1 },
        get stream() {
          return whole.stream;
        },
        sendTo: (d) => whole.sendTo(d),
        ...(whole.sendToSocket ? { sendToSocket: whole.sendToSocket } : {}),
      };
    }
  }
  const partial = blob.range !== undefined;
  const length = partial ? blob.range!.end - blob.range!.start + 1 : blob.size;
  ctx.res.writeHead(partial ? 206 : 200, {
    ...API_VERSION_HEADER,
    ...common(digest),
    'Content-Type': 'application/octet-stream',
    'Content-Length': length,
    ...(partial ? { 'Content-Range': formatContentRange(blob.range!.start, blob.range!.end, blob.size) } : {}),
  });
  await sendBlob(ctx.res, blob);
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
