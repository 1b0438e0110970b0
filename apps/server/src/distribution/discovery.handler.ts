import { MediaType, parseDigest } from '@wharf/oci';
import type { Page } from '@wharf/registry-core';
import { type RegistryContext, urlFor } from './context';
import { pageQuery, sendJson } from './http-io';

/** RFC 8288 Link to the next page, as the distribution spec gives it for tags and the catalog. */
export function nextLink(path: string, n: number | undefined, page: Page<string>): Record<string, string> {
  if (page.next === undefined) return {};
  const params = new URLSearchParams({ ...(n !== undefined ? { n: String(n) } : {}), last: page.next });
  return { Link: `<${path}?${params.toString()}>; rel="next"` };
}

export async function listTags(ctx: RegistryContext): Promise<void> {
  const request = pageQuery(ctx.query);
  const page = request.n === 0 ? { items: [] } : await ctx.repository.listTags(ctx.target.image, request);
  sendJson(
    ctx.res,
    200,
    { name: ctx.target.name, tags: page.items },
    nextLink(urlFor(ctx.target, 'tags/list'), request.n, page),
    ctx.head,
  );
}

export async function listReferrers(ctx: RegistryContext, digest: string): Promise<void> {
  parseDigest(digest);
  const artifactType = ctx.query.get('artifactType') ?? undefined;
  const manifests = await ctx.repository.listReferrers(ctx.target.image, digest, artifactType);
  sendJson(
    ctx.res,
    200,
    { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests },
    { 'Content-Type': MediaType.OciIndex, ...(artifactType ? { 'OCI-Filters-Applied': 'artifactType' } : {}) },
    ctx.head,
  );
}
