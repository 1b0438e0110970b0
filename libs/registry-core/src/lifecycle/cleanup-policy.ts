import type { CatalogManifest, ManifestKey, TagKey } from '../ports/content-catalog';
import { SafeRegex } from '../safe-regex';
import { ImageGraph, manifestKey, tagKey } from './image-graph';

/**
 * What a cleanup policy selects (Nexus's criteria plus `retain` and `untagged`): tags, or with `untagged`
 * the manifests no tag keeps. Every criterion that is set must match.
 */
export interface CleanupCriteria {
  /** Tags that last moved to new content (untagged manifests: were stored) more than this many days ago. */
  lastBlobUpdated?: number;
  /** Whose manifest was last pulled more than this many days ago (never pulled: since it was stored). */
  lastDownloaded?: number;
  /** Regular expression (RE2 syntax) that must match all of `image:tag` (untagged manifests: `image@digest`). */
  regex?: string;
  /** The N most recently updated tags of each image are never selected by this policy. */
  retain?: number;
  /**
   * Select manifests no tag keeps instead of tags (children of kept indexes and referrers attached to kept
   * images are kept: ImageGraph.live); the other criteria then apply to them. `retain` does not apply.
   */
  untagged?: boolean;
}

export interface CleanupPolicy {
  name: string;
  notes: string;
  format: 'docker';
  criteria: CleanupCriteria;
}

/** What a cleanup (or an eviction) removes: tags, then the manifests nothing keeps any more. */
export interface CleanupPlan {
  tags: TagKey[];
  manifests: ManifestKey[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The tags and manifests `policies` remove from a repository's content at `now`. Each policy selects on
 * its own (the union is removed). Removing tags removes the manifests they alone kept (with their child
 * manifests and attached referrers); untagged manifests are removed only when a policy selects them.
 */
export function planCleanup(manifests: CatalogManifest[], policies: CleanupCriteria[], now: Date): CleanupPlan {
  const graph = new ImageGraph(manifests);
  const liveBefore = graph.live();
  const selectedTags = new Map<string, TagKey>();
  const selectedUntagged = new Set<string>();
  for (const policy of policies) {
    const matcher = compile(policy, now);
    if (!policy.untagged) {
      for (const [image, tags] of tagsByImage(manifests)) {
        const ordered = tags.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || a.tag.localeCompare(b.tag));
        for (const t of ordered.slice(policy.retain ?? 0)) {
          if (matcher(`${image}:${t.tag}`, t.updatedAt, t.manifest)) selectedTags.set(tagKey(image, t.tag), { image, tag: t.tag, digest: t.manifest.digest });
        }
      }
    } else {
      for (const m of manifests) {
        if (m.tags.length > 0 || liveBefore.has(manifestKey(m))) continue;
        if (matcher(`${m.image}@${m.digest}`, m.createdAt, m)) selectedUntagged.add(manifestKey(m));
      }
    }
  }
  return { tags: [...selectedTags.values()], manifests: unkept(graph, liveBefore, new Set(selectedTags.keys()), selectedUntagged) };
}

/**
 * What deleting `tags` removes with them (a user deleting a tag, Nexus's component delete): the manifests
 * only those tags kept, with the platform manifests of an index and the referrers attached to them. A
 * manifest another tag, a kept index or a tagged referrer still needs stays; untagged manifests stay too.
 */
export function planTagRemoval(manifests: CatalogManifest[], tags: TagKey[]): CleanupPlan {
  const graph = new ImageGraph(manifests);
  return { tags, manifests: unkept(graph, graph.live(), new Set(tags.map((t) => tagKey(t.image, t.tag))), new Set()) };
}

/** Manifests that tags kept before and that no tag but `removedTags` keeps, plus the untagged ones selected. */
function unkept(graph: ImageGraph, liveBefore: Set<string>, removedTags: Set<string>, selectedUntagged: Set<string>): ManifestKey[] {
  const liveAfter = graph.live(removedTags);
  return graph.manifests
    .filter((m) => {
      const key = manifestKey(m);
      return !liveAfter.has(key) && (liveBefore.has(key) || selectedUntagged.has(key));
    })
    .map(({ image, digest }) => ({ image, digest }));
}

/** Criteria that cannot work together or cannot be evaluated; `field` names the criterion ('*': the whole policy). */
export class CriteriaError extends Error {
  constructor(
    readonly field: keyof CleanupCriteria | '*',
    message: string,
  ) {
    super(message);
  }
}

/** Checks a policy's criteria; throws a CriteriaError that says what is wrong. */
export function validateCriteria(c: CleanupCriteria): void {
  for (const field of ['lastBlobUpdated', 'lastDownloaded', 'retain'] as const) {
    const value = c[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) throw new CriteriaError(field, `${field} must be a whole number of at least 1`);
  }
  if (c.regex !== undefined) {
    if (c.regex.length === 0) throw new CriteriaError('regex', 'regex must not be empty');
    const problem = SafeRegex.problem(c.regex);
    if (problem) throw new CriteriaError('regex', `regex: ${problem}`);
  }
  if (c.untagged && c.retain !== undefined) throw new CriteriaError('retain', 'retain applies to tags; a policy for untagged manifests cannot have it');
  if (!hasTagCriteria(c) && !c.untagged) throw new CriteriaError('*', 'a policy needs at least one criterion');
}

function hasTagCriteria(c: CleanupCriteria): boolean {
  return c.lastBlobUpdated !== undefined || c.lastDownloaded !== undefined || c.regex !== undefined || c.retain !== undefined;
}

type Matcher = (name: string, updatedAt: Date, manifest: CatalogManifest) => boolean;

function compile(c: CleanupCriteria, now: Date): Matcher {
  const pattern = c.regex !== undefined ? SafeRegex.compile(c.regex) : null;
  const updatedBefore = c.lastBlobUpdated !== undefined ? now.getTime() - c.lastBlobUpdated * DAY_MS : null;
  const downloadedBefore = c.lastDownloaded !== undefined ? now.getTime() - c.lastDownloaded * DAY_MS : null;
  return (name, updatedAt, manifest) => {
    if (pattern && !pattern.matches(name)) return false;
    if (updatedBefore !== null && updatedAt.getTime() >= updatedBefore) return false;
    const lastPulled = manifest.lastDownloadedAt ?? manifest.createdAt;
    if (downloadedBefore !== null && lastPulled.getTime() >= downloadedBefore) return false;
    return true;
  };
}

function tagsByImage(manifests: CatalogManifest[]): Map<string, { tag: string; updatedAt: Date; manifest: CatalogManifest }[]> {
  const byImage = new Map<string, { tag: string; updatedAt: Date; manifest: CatalogManifest }[]>();
  for (const m of manifests) {
    for (const t of m.tags) {
      const list = byImage.get(m.image) ?? [];
      list.push({ tag: t.name, updatedAt: t.updatedAt, manifest: m });
      byImage.set(m.image, list);
    }
  }
  return byImage;
}
