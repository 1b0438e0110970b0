/**
 * Ids of the Nexus-shaped content endpoints, shared by the server (which parses them) and the UI (which
 * names a tag it shows): the reference itself, base64url-encoded, so they are stable across restarts and
 * replicas. Names, tags and digests never contain ':' or '@' where these separators stand.
 */

function base64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `/service/rest/v1/components/{id}`: one tag of one image in one repository. */
export function componentId(repository: string, image: string, tag: string): string {
  return base64url(`${repository}:${image}:${tag}`);
}

/** `/service/rest/v1/assets/{id}`: one manifest (by digest) of one image in one repository. */
export function assetId(repository: string, image: string, digest: string): string {
  return base64url(`${repository}:${image}@${digest}`);
}
