import { RegistryError, isRegistryError, parseDigest, parseUploadContentRange, uploadRangeHeader } from '@wharf/oci';
import type { UploadStatus } from '@wharf/registry-core';
import { type RegistryContext, urlFor } from './context';
import { hasBody, send, uploadBody } from './http-io';
import { takenBody } from '../http/taken-bodies';

function statusHeaders(ctx: RegistryContext, status: UploadStatus): Record<string, string> {
  return {
    Location: urlFor(ctx.target, `blobs/uploads/${status.id}`),
    Range: uploadRangeHeader(status.offset),
    'Docker-Upload-UUID': status.id,
  };
}

function blobCreated(ctx: RegistryContext, digest: string): void {
  send(ctx.res, 201, { Location: urlFor(ctx.target, `blobs/${digest}`), 'Docker-Content-Digest': digest });
}

/** The body for the store: read by the native addon when it was taken off the parser, else a detachable stream. */
function requestBody(ctx: RegistryContext) {
  return takenBody(ctx.req) ?? uploadBody(ctx.req);
}

function requiredDigest(ctx: RegistryContext): string {
  const digest = ctx.query.get('digest');
  if (!digest) throw new RegistryError('DIGEST_INVALID', 'the digest query parameter is required to complete an upload');
  parseDigest(digest);
  return digest;
}

/** POST /blobs/uploads/: cross-repository mount, single-request (monolithic) upload, or a new session. */
export async function startUpload(ctx: RegistryContext): Promise<void> {
  const { image } = ctx.target;
  const mount = ctx.query.get('mount');
  const from = ctx.query.get('from');
  if (mount && from) {
    parseDigest(mount);
    const source = ctx.resolveName(from);
    const mounted = source ? await ctx.repository.mountBlob(image, mount, source) : null;
    if (mounted) return blobCreated(ctx, mounted.digest);
    // Not mountable (unknown source, or it lacks the blob): the spec says to fall back to a regular upload.
  }
  const digest = ctx.query.get('digest');
  if (digest) {
    parseDigest(digest);
    const info = await ctx.repository.putBlob(image, digest, requestBody(ctx));
    return blobCreated(ctx, info.digest);
  }
  const status = await ctx.repository.startUpload(image);
  send(ctx.res, 202, statusHeaders(ctx, status));
}

export async function uploadStatus(ctx: RegistryContext, id: string): Promise<void> {
  const status = await ctx.repository.getUpload(ctx.target.image, id);
  send(ctx.res, 204, statusHeaders(ctx, status));
}

/** PATCH: a chunk, in order. An out-of-order Content-Range is 416 with the current Range, as the spec asks. */
export async function appendChunk(ctx: RegistryContext, id: string): Promise<void> {
  const header = ctx.req.headers['content-range'];
  const range = header ? parseUploadContentRange(header) : undefined;
  const length = ctx.req.headers['content-length'];
  if (range && length !== undefined && Number(length) !== range.end - range.start + 1) {
    const current = await ctx.repository.getUpload(ctx.target.image, id);
    throw new RegistryError('RANGE_INVALID', `Content-Range ${header} announces ${range.end - range.start + 1} bytes but the body has ${length}`, undefined, {
      status: 416,
      headers: statusHeaders(ctx, current),
    });
  }
  try {
    const status = await ctx.repository.appendUpload(ctx.target.image, id, requestBody(ctx), range?.start);
    send(ctx.res, 202, statusHeaders(ctx, status));
  } catch (err) {
    if (isRegistryError(err) && err.code === 'RANGE_INVALID') {
      const current = await ctx.repository.getUpload(ctx.target.image, id).catch(() => null);
      if (current) throw new RegistryError('RANGE_INVALID', err.message, err.detail, { status: 416, headers: statusHeaders(ctx, current) });
    }
    throw err;
  }
}

/** PUT ?digest=: completes the upload, optionally with a last chunk in the body. */
export async function finishUpload(ctx: RegistryContext, id: string): Promise<void> {
  const digest = requiredDigest(ctx);
  const info = await ctx.repository.finishUpload(ctx.target.image, id, digest, hasBody(ctx.req) ? requestBody(ctx) : undefined);
  blobCreated(ctx, info.digest);
}

export async function cancelUpload(ctx: RegistryContext, id: string): Promise<void> {
  await ctx.repository.cancelUpload(ctx.target.image, id);
  send(ctx.res, 204, {});
}
