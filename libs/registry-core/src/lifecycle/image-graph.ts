import type { CatalogManifest } from '../ports/content-catalog';

/** Key of a manifest within a repository. */
export function manifestKey(m: { image: string; digest: string }): string {
  return `${m.image}\u0000${m.digest}`;
}

/**
 * The manifests of a repository as a graph, within each image: an index points at its child manifests,
 * a referrer (OCI `subject`) at the manifest it describes.
 */
export class ImageGraph {
  private readonly byKey = new Map<string, CatalogManifest>();
  private readonly referrersOf = new Map<string, CatalogManifest[]>();
  /** Keys of manifests some other manifest of their image lists as a child. */
  private readonly childKeys = new Set<string>();

  constructor(readonly manifests: CatalogManifest[]) {
    for (const m of manifests) this.byKey.set(manifestKey(m), m);
    for (const m of manifests) {
      for (const d of m.references) if (d !== m.digest && this.byKey.has(manifestKey({ image: m.image, digest: d }))) this.childKeys.add(manifestKey({ image: m.image, digest: d }));
    }
    for (const m of manifests) {
      if (!m.subject) continue;
      const subjectKey = manifestKey({ image: m.image, digest: m.subject });
      const list = this.referrersOf.get(subjectKey) ?? [];
      list.push(m);
      this.referrersOf.set(subjectKey, list);
    }
  }

  get(image: string, digest: string): CatalogManifest | undefined {
    return this.byKey.get(manifestKey({ image, digest }));
  }

  byManifestKey(key: string): CatalogManifest | undefined {
    return this.byKey.get(key);
  }

  /** Child manifests of an index that the image holds. */
  children(m: CatalogManifest): CatalogManifest[] {
    return m.references.map((d) => this.get(m.image, d)).filter((c): c is CatalogManifest => c !== undefined);
  }

  /** Is `m` a child of some index of its image? */
  isChild(m: CatalogManifest): boolean {
    return this.childKeys.has(manifestKey(m));
  }

  /**
   * Everything `roots` keep: their child manifests, the referrers attached to them (signatures, SBOMs)
   * and the subject a kept referrer describes, transitively. Returns manifest keys.
   */
  closure(roots: Iterable<CatalogManifest>): Set<string> {
    const kept = new Set<string>();
    const queue = [...roots];
    while (queue.length > 0) {
      const m = queue.pop()!;
      const key = manifestKey(m);
      if (kept.has(key)) continue;
      kept.add(key);
      queue.push(...this.children(m));
      queue.push(...(this.referrersOf.get(key) ?? []));
      const subject = m.subject ? this.get(m.image, m.subject) : undefined;
      if (subject) queue.push(subject);
    }
    return kept;
  }

  /** What the tags keep: every manifest a tag (other than those in `without`) points at, and its closure. */
  live(without: Set<string> = new Set()): Set<string> {
    return this.closure(this.manifests.filter((m) => m.tags.some((t) => !without.has(tagKey(m.image, t.name)))));
  }
}

export function tagKey(image: string, tag: string): string {
  return `${image}\u0000${tag}`;
}
