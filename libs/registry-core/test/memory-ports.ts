/**
 * In-memory fakes of registry-core's ports, with the semantics the port docs give (byte-ordered
 * cursor pages, images = images holding a manifest). For domain tests that should not need SQLite.
 */
import type { Page, PageRequest } from '../src/page';
import { pageSize, toPage } from '../src/page';
import {
  type BlobClaim,
  BlobClaims,
  BlobLinks,
  type ManifestDownload,
  ManifestIndex,
  type ManifestRecord,
  RepositoryConfigs,
  TagIndex,
  type TagRecord,
  type UploadSession,
  UploadSessions,
} from '../src/ports';
import type { RepositoryConfig } from '../src/repository-config';

const SEP = '\u0000';
const key = (...parts: string[]): string => parts.join(SEP);

function compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function page<T>(items: T[], request: PageRequest, cursorOf: (item: T) => string): Page<T> {
  const limit = pageSize(request);
  const after = request.last ? items.filter((i) => compare(cursorOf(i), request.last!) > 0) : items;
  return toPage(after.slice(0, limit + 1), limit, cursorOf);
}

export class MemoryManifestIndex extends ManifestIndex {
  readonly records = new Map<string, { repository: string; image: string; record: ManifestRecord; references: string[] }>();

  async get(repository: string, image: string, digest: string): Promise<ManifestRecord | null> {
    const entry = this.records.get(key(repository, image, digest));
    return entry ? structuredClone(entry.record) : null;
  }

  /** Links, for the `requirePresent` check of put (set by the harness). */
  links: MemoryBlobLinks | undefined;

  async put(repository: string, image: string, record: ManifestRecord, references: string[], requirePresent: string[] = []): Promise<string | null> {
    for (const digest of requirePresent) {
      const present = this.records.has(key(repository, image, digest)) || (await this.links?.get(repository, image, digest));
      if (!present) return digest;
    }
    const k = key(repository, image, record.digest);
    const existing = this.records.get(k);
    const stored: ManifestRecord = { ...structuredClone(record), createdAt: existing?.record.createdAt ?? record.createdAt };
    // A re-put keeps the times already recorded; a first put keeps what it brings.
    if (existing) {
      delete stored.lastDownloadedAt;
      delete stored.verifiedAt;
      if (existing.record.lastDownloadedAt) stored.lastDownloadedAt = existing.record.lastDownloadedAt;
      if (existing.record.verifiedAt) stored.verifiedAt = existing.record.verifiedAt;
    }
    this.records.set(k, {
      repository,
      image,
      record: stored,
      references: [...new Set([...(existing?.references ?? []), ...references])],
    });
    return null;
  }

  async markVerified(repository: string, image: string, digest: string, at: Date): Promise<void> {
    const entry = this.records.get(key(repository, image, digest));
    if (entry) entry.record.verifiedAt = at;
  }

  async delete(repository: string, image: string, digest: string): Promise<boolean> {
    return this.records.delete(key(repository, image, digest));
  }

  async referrers(repository: string, image: string, subject: string): Promise<ManifestRecord[]> {
    return [...this.records.values()]
      .filter((e) => e.repository === repository && e.image === image && e.record.subject === subject)
      .map((e) => structuredClone(e.record))
      .sort((a, b) => compare(a.digest, b.digest));
  }

  async hasImage(repository: string, image: string): Promise<boolean> {
    return [...this.records.values()].some((e) => e.repository === repository && e.image === image);
  }

  async recordDownloads(downloads: ManifestDownload[]): Promise<void> {
    for (const d of downloads) {
      const entry = this.records.get(key(d.repository, d.image, d.digest));
      if (entry && !(entry.record.lastDownloadedAt && entry.record.lastDownloadedAt >= d.at)) entry.record.lastDownloadedAt = d.at;
    }
  }

  imagesOf(repository: string): string[] {
    return [...new Set([...this.records.values()].filter((e) => e.repository === repository).map((e) => e.image))].sort(compare);
  }
}

export class MemoryTagIndex extends TagIndex {
  readonly tags = new Map<string, { repository: string } & TagRecord>();

  constructor(private readonly manifests: MemoryManifestIndex) {
    super();
  }

  async get(repository: string, image: string, tag: string): Promise<TagRecord | null> {
    const row = this.tags.get(key(repository, image, tag));
    if (!row) return null;
    const { repository: _r, ...record } = row;
    return { ...record };
  }

  async set(repository: string, image: string, tag: string, digest: string, verifiedAt?: Date): Promise<void> {
    this.tags.set(key(repository, image, tag), {
      repository,
      image,
      name: tag,
      digest,
      updatedAt: new Date(),
      ...(verifiedAt ? { verifiedAt } : {}),
    });
  }

  async claim(repository: string, image: string, tag: string, digest: string): Promise<string> {
    const existing = this.tags.get(key(repository, image, tag));
    if (existing) return existing.digest;
    await this.set(repository, image, tag, digest);
    return digest;
  }

  async expireAll(repository: string): Promise<void> {
    for (const row of this.tags.values()) if (row.repository === repository) delete row.verifiedAt;
  }

  async delete(repository: string, image: string, tag: string): Promise<boolean> {
    return this.tags.delete(key(repository, image, tag));
  }

  async deleteByDigest(repository: string, image: string, digest: string): Promise<number> {
    let n = 0;
    for (const [k, row] of this.tags) {
      if (row.repository === repository && row.image === image && row.digest === digest) {
        this.tags.delete(k);
        n++;
      }
    }
    return n;
  }

  async list(repository: string, image: string, request: PageRequest): Promise<Page<string>> {
    const names = [...this.tags.values()]
      .filter((r) => r.repository === repository && r.image === image)
      .map((r) => r.name)
      .sort(compare);
    return page(names, request, (n) => n);
  }

  async listImages(repository: string, request: PageRequest): Promise<Page<string>> {
    return page(this.manifests.imagesOf(repository), request, (i) => i);
  }

  async listAll(repository: string, request: PageRequest): Promise<Page<TagRecord>> {
    const rows = [...this.tags.values()]
      .filter((r) => r.repository === repository)
      .sort((a, b) => compare(a.image, b.image) || compare(a.name, b.name))
      .map(({ repository: _r, ...record }) => record);
    const limit = pageSize(request);
    let after = rows;
    if (request.last) {
      const cut = request.last.indexOf(':');
      const image = cut < 0 ? request.last : request.last.slice(0, cut);
      const tag = cut < 0 ? '' : request.last.slice(cut + 1);
      after = rows.filter((r) => compare(r.image, image) > 0 || (r.image === image && compare(r.name, tag) > 0));
    }
    return toPage(after.slice(0, limit + 1), limit, (r) => `${r.image}:${r.name}`);
  }
}

export class MemoryBlobLinks extends BlobLinks {
  readonly links = new Map<string, { size: number; linkedAt: Date }>();

  async link(repository: string, image: string, digest: string, size: number): Promise<void> {
    this.links.set(key(repository, image, digest), { size, linkedAt: new Date() });
  }

  /** In memory nothing is ever collected: a blob linked anywhere is held. */
  async linkIfHeld(repository: string, image: string, digest: string, size: number): Promise<boolean> {
    const suffix = SEP + digest;
    if (![...this.links.keys()].some((k) => k.endsWith(suffix))) return false;
    if (!this.links.has(key(repository, image, digest))) await this.link(repository, image, digest, size);
    return true;
  }

  async confirm(repository: string, image: string, digest: string, staleBefore: Date): Promise<boolean> {
    const link = this.links.get(key(repository, image, digest));
    if (!link) return false;
    if (link.linkedAt < staleBefore) link.linkedAt = new Date();
    return true;
  }

  async get(repository: string, image: string, digest: string): Promise<{ size: number; linkedAt: Date } | null> {
    const link = this.links.get(key(repository, image, digest));
    return link ? { ...link } : null;
  }

  async inRepository(repository: string, digest: string): Promise<boolean> {
    const prefix = key(repository, '');
    const suffix = SEP + digest;
    for (const k of this.links.keys()) if (k.startsWith(prefix) && k.endsWith(suffix)) return true;
    return false;
  }

  async unlink(repository: string, image: string, digest: string): Promise<boolean> {
    return this.links.delete(key(repository, image, digest));
  }
}

/** Claims without a collector to race with: nothing to wait for. */
export class MemoryBlobClaims extends BlobClaims {
  held = 0;

  async claim(): Promise<BlobClaim> {
    this.held += 1;
    let released = false;
    return {
      release: async () => {
        if (!released) this.held -= 1;
        released = true;
      },
    };
  }
}

export class MemoryUploadSessions extends UploadSessions {
  readonly sessions = new Map<string, UploadSession>();

  async create(session: UploadSession): Promise<void> {
    if (this.sessions.has(session.id)) throw new Error(`upload session ${session.id} exists`);
    this.sessions.set(session.id, { ...session });
  }

  async get(id: string): Promise<UploadSession | null> {
    const s = this.sessions.get(id);
    return s ? { ...s } : null;
  }

  async delete(id: string): Promise<void> {
    this.sessions.delete(id);
  }

  async olderThan(before: Date): Promise<UploadSession[]> {
    return [...this.sessions.values()].filter((s) => s.createdAt.getTime() < before.getTime()).map((s) => ({ ...s }));
  }
}

/** A RepositoryConfigs fake that counts calls and can be made slow or failing. */
export class MemoryRepositoryConfigs extends RepositoryConfigs {
  readonly configs = new Map<string, RepositoryConfig>();
  saves = 0;
  deletes = 0;
  /** Delay of every write, to expose check-then-act races. */
  delayMs = 0;
  failNextSave: Error | null = null;

  constructor(initial: RepositoryConfig[] = []) {
    super();
    for (const c of initial) this.configs.set(c.name, structuredClone(c));
  }

  async list(): Promise<RepositoryConfig[]> {
    return [...this.configs.values()].map((c) => structuredClone(c)).sort((a, b) => compare(a.name, b.name));
  }

  async get(name: string): Promise<RepositoryConfig | null> {
    const c = this.configs.get(name);
    return c ? structuredClone(c) : null;
  }

  async save(config: RepositoryConfig): Promise<void> {
    await this.pause();
    this.saves++;
    if (this.failNextSave) {
      const err = this.failNextSave;
      this.failNextSave = null;
      throw err;
    }
    this.configs.set(config.name, structuredClone(config));
  }

  async delete(name: string): Promise<boolean> {
    await this.pause();
    this.deletes++;
    return this.configs.delete(name);
  }

  private async pause(): Promise<void> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    else await Promise.resolve();
  }
}
