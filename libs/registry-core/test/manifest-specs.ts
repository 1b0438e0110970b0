import type { CatalogManifest } from '../src/ports/content-catalog';

/** Digest number `n` (or blob `bN`) as a sha256 digest, so that the planners' tables stay readable. */
export const digestNo = (n: number | string) => `sha256:${String(n).padStart(64, '0')}`;

/** The number back from a digestNo(n). */
export const numberOf = (digest: string) => Number(digest.slice('sha256:'.length));

/** One stored manifest as a line of a lifecycle planner's table; ages count back from the table's clock. */
export interface ManifestSpec {
  image?: string;
  digest: number;
  /** A tag by name (as old as the table's default age) or as [name, age]. */
  tags?: Array<string | [string, number]>;
  created?: number;
  pulled?: number;
  children?: number[];
  subject?: number;
  /** Blob numbers: blob N is digestNo(`bN`). */
  blobs?: number[];
}

/** A table's clock and defaults: ages are in units of `unitMs` before `now`. */
export interface SpecTable {
  now: number;
  unitMs: number;
  image: string;
  /** The age of a manifest (and of a tag given by name alone) when the line does not say. */
  age: number;
}

export function catalogManifest(spec: ManifestSpec, table: SpecTable): CatalogManifest {
  const ago = (n: number) => new Date(table.now - n * table.unitMs);
  return {
    image: spec.image ?? table.image,
    digest: digestNo(spec.digest),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: 100,
    createdAt: ago(spec.created ?? table.age),
    ...(spec.pulled !== undefined ? { lastDownloadedAt: ago(spec.pulled) } : {}),
    ...(spec.subject !== undefined ? { subject: digestNo(spec.subject) } : {}),
    references: [...(spec.children ?? []).map(digestNo), ...(spec.blobs ?? []).map((b) => digestNo(`b${b}`))],
    tags: (spec.tags ?? []).map((t) => (typeof t === 'string' ? { name: t, updatedAt: ago(table.age) } : { name: t[0], updatedAt: ago(t[1]) })),
  };
}
