import type { BlobStore } from '@wharf/blobstore';
import {
  type CatalogManifest,
  type CleanupCriteria,
  type CleanupPlan,
  type CleanupPolicyStore,
  type CollectionResult,
  type ContentCatalog,
  type DownloadRecorder,
  EVERYTHING,
  GarbageCollector,
  GroupRepository,
  ImageGraph,
  type GarbageLedger,
  manifestKey,
  planCleanup,
  planEviction,
  planTagRemoval,
  type RepositoryManager,
  type StoredBytes,
} from '@wharf/registry-core';
import type { TaskContext } from './task-scheduler';

/** One item a cleanup removes: a tag, or (tag null) a manifest no tag points at. */
export interface PlannedItem {
  image: string;
  tag: string | null;
  digest: string;
  lastUpdated: Date;
  lastDownloaded: Date | null;
}

export interface CleanupPreview {
  repository: string;
  items: PlannedItem[];
  /** Tags removed, manifests removed, images left with nothing, and bytes the collection would then free. */
  totals: { tags: number; manifests: number; images: number; bytes: number };
}

export interface NamedStore {
  name: string;
  store: BlobStore;
}

export interface LifecycleOptions {
  /** The blob stores to collect, each by name (read at each run: stores are added at run time). */
  stores(): NamedStore[];
  onCollected?(store: string, result: CollectionResult): void;
  onRemoved?(repository: string, kind: 'tag' | 'manifest', count: number): void;
  /**
   * Other processes serve from the same database (replicas): content removed here is announced, so that they
   * drop what they remember of it (repository name, or EVERYTHING), as a repository announces its own deletions.
   */
  shared?: { announceChange(repository: string): void };
}

/** How long the per-repository stored bytes (the repository list's Size) are reused; this process's removals clear them. */
const STORED_BYTES_TTL_MS = 30_000;

/**
 * The storage lifecycle of one Wharf: cleanup policies applied to repositories, proxies evicted to their
 * size limit, and the garbage collection of every blob store. Every decision is made from the database
 * (ContentCatalog, GarbageLedger) and the stores; nothing here assumes it is the only process.
 */
export class StorageLifecycle {
  private readonly storedBytesCache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly catalog: ContentCatalog,
    private readonly policies: CleanupPolicyStore,
    private readonly ledger: GarbageLedger,
    private readonly manager: RepositoryManager,
    private readonly downloads: DownloadRecorder,
    private readonly options: LifecycleOptions,
  ) {}

  /** What `criteria` would remove from `repository` now, and what that would free. */
  async preview(repository: string, criteria: CleanupCriteria[], now = new Date()): Promise<CleanupPreview> {
    await this.downloads.flush();
    const manifests = await this.catalog.manifests(repository);
    const plan = planCleanup(manifests, criteria, now);
    return { repository, ...(await this.describe(repository, manifests, plan)) };
  }

  /** Applies every repository's cleanup policies. */
  async cleanup(context: TaskContext): Promise<{ repositories: number; tagsDeleted: number; manifestsDeleted: number }> {
    await this.downloads.flush();
    const all = await this.policies.list();
    const byName = new Map(all.map((p) => [p.name, p]));
    const totals = { repositories: 0, tagsDeleted: 0, manifestsDeleted: 0 };
    for (const config of this.manager.configs()) {
      if (context.stopped()) break;
      if (config.type === 'group') continue;
      const names = config.cleanup?.policyNames ?? [];
      const criteria = names.map((n) => byName.get(n)?.criteria).filter((c): c is CleanupCriteria => c !== undefined);
      if (criteria.length === 0) continue;
      totals.repositories += 1;
      const plan = planCleanup(await this.catalog.manifests(config.name), criteria, new Date());
      const removed = await this.apply(config.name, plan);
      totals.tagsDeleted += removed.tags;
      totals.manifestsDeleted += removed.manifests;
      context.log(`${config.name}: policies ${names.join(', ')} removed ${removed.tags} tag(s) and ${removed.manifests} manifest(s)`);
    }
    return totals;
  }

  /** Evicts the least recently pulled images of every proxy over its size limit. */
  async evict(context: TaskContext): Promise<{ proxies: number; tagsEvicted: number; manifestsEvicted: number; bytesEvicted: number }> {
    await this.downloads.flush();
    const totals = { proxies: 0, tagsEvicted: 0, manifestsEvicted: 0, bytesEvicted: 0 };
    for (const config of this.manager.configs()) {
      if (context.stopped()) break;
      const limit = config.type === 'proxy' ? config.proxy.maxCacheSizeBytes : null;
      if (limit === null || limit === undefined) continue;
      const manifests = await this.catalog.manifests(config.name);
      const sizes = await this.catalog.sizes(manifests.flatMap((m) => [m.digest, ...m.references]));
      const plan = planEviction(manifests, sizes, limit);
      if (plan.manifests.length === 0) continue;
      totals.proxies += 1;
      const removed = await this.apply(config.name, plan);
      totals.tagsEvicted += removed.tags;
      totals.manifestsEvicted += removed.manifests;
      totals.bytesEvicted += plan.bytesBefore - plan.bytesAfter;
      context.log(`${config.name}: over its limit of ${limit} bytes (${plan.bytesBefore}); evicted ${removed.manifests} manifest(s), ${plan.bytesAfter} bytes left`);
    }
    return totals;
  }

  /** Collects every blob store (see GarbageCollector). */
  async collect(context: TaskContext, graceMs: number): Promise<CollectionResult> {
    const total: CollectionResult = { linksDropped: 0, resumed: 0, blobsScanned: 0, bytesScanned: 0, blobsDeleted: 0, bytesFreed: 0 };
    for (const { name, store } of this.options.stores()) {
      if (context.stopped()) break;
      const result = await new GarbageCollector(this.ledger, store, { graceMs }).collect({ log: (m) => context.log(`blob store ${name}: ${m}`), stopped: context.stopped });
      // Links dropped in any repository: none may go on serving a blob from what it remembers.
      if (result.linksDropped > 0) this.changed(EVERYTHING);
      this.options.onCollected?.(name, result);
      for (const key of Object.keys(total) as (keyof CollectionResult)[]) total[key] += result[key];
    }
    return total;
  }

  /**
   * Deletes a tag as a user does through the REST API (Nexus's component delete): the repository deletes the
   * tag (its write policy applies), then the manifests only that tag kept (with their platform manifests and
   * referrers) are removed atomically, unless a push needed them again meanwhile, so that the next
   * collection frees the bytes only they held. Returns how many manifests went with the tag.
   */
  async deleteTag(repository: string, image: string, tag: string): Promise<number> {
    const target = this.manager.require(repository);
    const manifests = await this.catalog.manifests(repository, image);
    const tagged = manifests.find((m) => m.tags.some((t) => t.name === tag));
    const plan = tagged ? planTagRemoval(manifests, [{ image, tag, digest: tagged.digest }]) : null;
    await target.deleteTag(image, tag);
    if (!plan || plan.manifests.length === 0) return 0;
    const removed = await this.catalog.remove(repository, [], plan.manifests);
    // Announced again once the manifests are gone: the tag's announcement may have been followed before.
    this.changed(repository);
    return removed.manifests.length;
  }

  /**
   * What each of `names` stores (its blob links and manifests, each digest once); a group: what the hosted and
   * proxy repositories it reaches (those `visible` allows) store together, each digest once. A name that is not a
   * repository is left out.
   */
  async storedBytes(names: string[], visible: (repository: string) => boolean = () => true): Promise<Map<string, StoredBytes>> {
    const perRepository = await this.recent('', () => this.catalog.storedBytes());
    const out = new Map<string, StoredBytes>();
    for (const name of names) {
      const repository = this.manager.get(name);
      if (!repository) continue;
      out.set(
        name,
        repository instanceof GroupRepository
          ? await this.membersBytes(repository.leafMembers().flatMap((m) => (visible(m.name) ? [m.name] : [])))
          : (perRepository.get(name) ?? { blobCount: 0, totalBytes: 0 }),
      );
    }
    return out;
  }

  private membersBytes(members: string[]): Promise<StoredBytes> {
    return this.recent(`members ${members.join(' ')}`, () => this.catalog.storedBytesOf(members));
  }

  /**
   * A stored-bytes figure read within the last STORED_BYTES_TTL_MS, else read now (one read shared by concurrent
   * callers). The sums go over every blob link: about 140 ms of CPU at 60,000 rows on SQLite, whose reads block
   * the event loop, so a repository list shown again and again must not repeat them.
   */
  private recent<T>(key: string, read: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.storedBytesCache.get(key);
    if (hit && now - hit.at < STORED_BYTES_TTL_MS) return hit.value as Promise<T>;
    if (this.storedBytesCache.size >= 1000) this.storedBytesCache.clear();
    const value = read();
    this.storedBytesCache.set(key, { at: now, value });
    value.catch(() => this.storedBytesCache.delete(key));
    return value;
  }

  /** Bytes `digest` (a manifest and what it references, with its children and referrers) holds in total and alone. */
  async imageSize(repository: string, image: string, digest: string): Promise<{ totalBytes: number; uniqueBytes: number } | null> {
    const manifests = await this.catalog.manifests(repository, image);
    const root = manifests.find((m) => m.digest === digest);
    if (!root) return null;
    const graph = new ImageGraph(manifests);
    const members = [...graph.closure([root])].map((key) => graph.byManifestKey(key)!);
    const digests = [...new Set(members.flatMap((m) => [m.digest, ...m.references]))];
    const sizes = await this.catalog.sizes(digests);
    const held = await this.catalog.heldElsewhere(digests, repository, members.map(({ image: i, digest: d }) => ({ image: i, digest: d })));
    let totalBytes = 0;
    let uniqueBytes = 0;
    for (const d of digests) {
      const size = sizes.get(d) ?? 0;
      totalBytes += size;
      if (!held.has(d)) uniqueBytes += size;
    }
    return { totalBytes, uniqueBytes };
  }

  private async apply(repository: string, plan: CleanupPlan): Promise<{ tags: number; manifests: number }> {
    if (plan.tags.length === 0 && plan.manifests.length === 0) return { tags: 0, manifests: 0 };
    const removed = await this.catalog.remove(repository, plan.tags, plan.manifests);
    this.changed(repository);
    this.options.onRemoved?.(repository, 'tag', removed.tags.length);
    this.options.onRemoved?.(repository, 'manifest', removed.manifests.length);
    return { tags: removed.tags.length, manifests: removed.manifests.length };
  }

  /** Content of `repository` (or of every one) was removed after it committed: forget it here, tell the others. */
  private changed(repository: string): void {
    this.storedBytesCache.clear();
    const names = repository === EVERYTHING ? this.manager.configs().map((c) => c.name) : [repository];
    for (const name of names) this.manager.get(name)?.forgetCached?.();
    this.options.shared?.announceChange(repository);
  }

  private async describe(repository: string, manifests: CatalogManifest[], plan: CleanupPlan): Promise<Omit<CleanupPreview, 'repository'>> {
    const byKey = new Map(manifests.map((m) => [manifestKey(m), m]));
    const removedKeys = new Set(plan.manifests.map(manifestKey));
    const items: PlannedItem[] = [];
    for (const t of plan.tags) {
      const m = byKey.get(manifestKey(t))!;
      const tag = m.tags.find((x) => x.name === t.tag)!;
      items.push({ image: t.image, tag: t.tag, digest: t.digest, lastUpdated: tag.updatedAt, lastDownloaded: m.lastDownloadedAt ?? null });
    }
    for (const key of removedKeys) {
      const m = byKey.get(key)!;
      if (m.tags.length === 0) items.push({ image: m.image, tag: null, digest: m.digest, lastUpdated: m.createdAt, lastDownloaded: m.lastDownloadedAt ?? null });
    }
    const removed = plan.manifests.map((k) => byKey.get(manifestKey(k))!);
    const digests = [...new Set(removed.flatMap((m) => [m.digest, ...m.references]))];
    const sizes = await this.catalog.sizes(digests);
    const held = await this.catalog.heldElsewhere(digests, repository, plan.manifests);
    const bytes = digests.filter((d) => !held.has(d)).reduce((n, d) => n + (sizes.get(d) ?? 0), 0);
    const imagesBefore = new Set(manifests.map((m) => m.image));
    const imagesAfter = new Set(manifests.filter((m) => !removedKeys.has(manifestKey(m))).map((m) => m.image));
    items.sort((a, b) => a.image.localeCompare(b.image) || (a.tag ?? '').localeCompare(b.tag ?? '') || a.digest.localeCompare(b.digest));
    return { items, totals: { tags: plan.tags.length, manifests: plan.manifests.length, images: imagesBefore.size - imagesAfter.size, bytes } };
  }
}
