import { assetId as encodeAssetId, componentId as encodeComponentId } from '@wharf/api-types';
import { RepositoryNotFoundError } from '@wharf/registry-core';

/** A component is one tag of one image in one repository. */
export interface ComponentRef {
  repository: string;
  image: string;
  tag: string;
}

/** An asset is one manifest (by digest) of one image in one repository. */
export interface AssetRef {
  repository: string;
  image: string;
  digest: string;
}

/*
 * Ids are the reference itself, base64url-encoded (@wharf/api-types ids.ts, which the UI uses too): stable
 * across restarts and replicas, and parsed without a lookup table. Repository names, image names, tags and
 * digests never contain ':' or '@' where these separators stand (a digest's own ':' comes after the '@').
 */

export function componentId(ref: ComponentRef): string {
  return encodeComponentId(ref.repository, ref.image, ref.tag);
}

export function assetId(ref: AssetRef): string {
  return encodeAssetId(ref.repository, ref.image, ref.digest);
}

/** Parses a component id; an id this server could not have issued is as unknown as a deleted one (404). */
export function parseComponentId(id: string): ComponentRef {
  const m = /^([^:@]+):([^:@]+):([^:@]+)$/.exec(decode(id));
  if (!m) throw new RepositoryNotFoundError(`component ${id} does not exist`);
  return { repository: m[1]!, image: m[2]!, tag: m[3]! };
}

export function parseAssetId(id: string): AssetRef {
  const m = /^([^:@]+):([^:@]+)@([a-z0-9]+:[a-f0-9]+)$/.exec(decode(id));
  if (!m) throw new RepositoryNotFoundError(`asset ${id} does not exist`);
  return { repository: m[1]!, image: m[2]!, digest: m[3]! };
}

function decode(id: string): string {
  return /^[A-Za-z0-9_-]{1,2000}$/.test(id) ? Buffer.from(id, 'base64url').toString('utf8') : '';
}
