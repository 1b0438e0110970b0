import type { CatalogManifest } from '../ports/content-catalog';
import type { CleanupPlan } from './cleanup-policy';
import { ImageGraph, manifestKey } from './image-graph';

export interface EvictionPlan extends CleanupPlan {
  /** Bytes the repository's manifests hold before and after (blobs counted once, shared or not). */
  bytesBefore: number;
  bytesAfter: number;
}

/**
 * What a proxy evicts to fit `limitBytes`: its images (a tag, or a manifest pulled by digest alone, with
 * its child manifests and referrers) ordered by when they were last pulled; the most recent are kept
 * while they fit, the rest go. `sizes` are the stored blobs' sizes (a blob not fetched yet costs nothing).
 */
export function planEviction(manifests: CatalogManifest[], sizes: Map<string, number>, limitBytes: number): EvictionPlan {
  const graph = new ImageGraph(manifests);
  const live = graph.live();
  const roots = manifests.filter((m) => m.tags.length > 0 || (!live.has(manifestKey(m)) && !graph.isChild(m) && !(m.subject && graph.get(m.image, m.subject))));
  const images = roots.map((root) => {
    const members = [...graph.closure([root])].map((key) => graph.byManifestKey(key)!);
    const lastPulled = Math.max(...members.map((m) => (m.lastDownloadedAt ?? m.createdAt).getTime()));
    return { members, lastPulled };
  });
  images.sort((a, b) => b.lastPulled - a.lastPulled);
  const held = new Set<string>();
  const kept = new Set<string>();
  let bytes = 0;
  let full = false;
  for (const image of images) {
    const adds = new Set<string>();
    for (const m of image.members) for (const d of [m.digest, ...m.references]) if (!held.has(d)) adds.add(d);
    const extra = [...adds].reduce((n, d) => n + (sizes.get(d) ?? 0), 0);
    if (full || bytes + extra > limitBytes) {
      full = true;
      continue;
    }
    bytes += extra;
    for (const d of adds) held.add(d);
    for (const m of image.members) kept.add(manifestKey(m));
  }
  const evicted = manifests.filter((m) => !kept.has(manifestKey(m)));
  const all = new Set(manifests.flatMap((m) => [m.digest, ...m.references]));
  return {
    tags: evicted.flatMap((m) => m.tags.map((t) => ({ image: m.image, tag: t.name, digest: m.digest }))),
    manifests: evicted.map(({ image, digest }) => ({ image, digest })),
    bytesBefore: [...all].reduce((n, d) => n + (sizes.get(d) ?? 0), 0),
    bytesAfter: bytes,
  };
}
