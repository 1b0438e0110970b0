import { createHash } from 'node:crypto';
import { MAX_MANIFEST_BYTES, RegistryError, isDigestReference, isValidTag, parseDigest, validateTag } from '@wharf/oci';
import { type RegistryContext, urlFor } from './context';
import { readLimited, send } from './http-io';

function checkReference(reference: string): void {
  if (isDigestReference(reference)) parseDigest(reference);
  else validateTag(reference);
}

function unknownManifest(ctx: RegistryContext, reference: string): RegistryError {
  return new RegistryError('MANIFEST_UNKNOWN', `manifest ${reference} is not in ${ctx.target.name}`, { reference });
}

export async function getManifest(ctx: RegistryContext, reference: string): Promise<void> {
  // The spec allows only 404 on GET/HEAD for a manifest that is not there, and no manifest can have a
  // reference that is not a tag (the conformance suite asks for `.INVALID_MANIFEST_NAME`). A malformed digest
  // stays DIGEST_INVALID; pushes keep TAG_INVALID.
  if (!isDigestReference(reference) && !isValidTag(reference)) throw unknownManifest(ctx, reference);
  checkReference(reference);
  const accept = ctx.req.headers.accept;
  const manifest = await ctx.repository.getManifest(ctx.target.image, reference, accept);
  if (!manifest) throw unknownManifest(ctx, reference);
  send(
    ctx.res,
    200,
    {
      'Content-Type': manifest.mediaType,
      'Docker-Content-Digest': manifest.digest,
      ETag: `"${manifest.digest}"`,
    },
    manifest.bytes,
    ctx.head,
  );
}

export async function putManifest(ctx: RegistryContext, reference: string): Promise<void> {
  checkReference(reference);
  const bytes = await readLimited(ctx.req, MAX_MANIFEST_BYTES);
  if (ctx.authorizeTag && !isDigestReference(reference)) {
    await ctx.authorizeTag(reference, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
  }
  const result = await ctx.repository.putManifest(ctx.target.image, reference, bytes, ctx.req.headers['content-type']);
  send(ctx.res, 201, {
    Location: urlFor(ctx.target, `manifests/${result.digest}`),
    'Docker-Content-Digest': result.digest,
    ...(result.subject ? { 'OCI-Subject': result.subject } : {}),
  });
}

export async function deleteManifest(ctx: RegistryContext, reference: string): Promise<void> {
  checkReference(reference);
  if (isDigestReference(reference)) await ctx.repository.deleteManifest(ctx.target.image, reference);
  else await ctx.repository.deleteTag(ctx.target.image, reference);
  send(ctx.res, 202, {});
}
