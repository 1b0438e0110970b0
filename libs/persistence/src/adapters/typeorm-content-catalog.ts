import { type CatalogManifest, ContentCatalog, type ManifestKey, type StoredBytes, type TagKey } from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { asDate, Atomic, type Sql, type Step } from '../sql/atomic';

/** Digests per `IN (...)` list. */
const CHUNK = 500;

interface ManifestRow {
  image: string;
  digest: string;
  mediaType: string;
  size: number;
  createdAt: unknown;
  lastDownloadedAt: unknown;
  subject: string | null;
}

export class TypeOrmContentCatalog extends ContentCatalog {
  private readonly atomic: Atomic;

  constructor(db: DataSource) {
    super();
    this.atomic = new Atomic(db);
  }

  async manifests(repository: string, image?: string): Promise<CatalogManifest[]> {
    const where = image === undefined ? 'repository = ?' : 'repository = ? AND image = ?';
    const params = image === undefined ? [repository] : [repository, image];
    return this.atomic.read(function* (sql) {
      const byKey = new Map<string, CatalogManifest>();
      const rows = yield* sql.all<ManifestRow>(
        `SELECT image, digest, "mediaType", size, "createdAt", "lastDownloadedAt", subject FROM manifests WHERE ${where}`,
        ...params,
      );
      for (const r of rows) {
        byKey.set(key(r.image, r.digest), {
          image: r.image,
          digest: r.digest,
          mediaType: r.mediaType,
          size: Number(r.size),
          createdAt: asDate(r.createdAt),
          ...(r.lastDownloadedAt ? { lastDownloadedAt: asDate(r.lastDownloadedAt) } : {}),
          ...(r.subject ? { subject: r.subject } : {}),
          references: [],
          tags: [],
        });
      }
      for (const r of yield* sql.all<{ image: string; manifest: string; digest: string }>(`SELECT image, manifest, digest FROM manifest_references WHERE ${where}`, ...params)) {
        byKey.get(key(r.image, r.manifest))?.references.push(r.digest);
      }
      for (const r of yield* sql.all<{ image: string; name: string; digest: string; updatedAt: unknown }>(
        `SELECT image, name, digest, "updatedAt" FROM tags WHERE ${where}`,
        ...params,
      )) {
        byKey.get(key(r.image, r.digest))?.tags.push({ name: r.name, updatedAt: asDate(r.updatedAt) });
      }
      return [...byKey.values()];
    });
  }

  async storedBytes(): Promise<Map<string, StoredBytes>> {
    // UNION (not UNION ALL) keeps each (repository, digest) once: a blob linked to several images of the
    // repository, or a manifest also linked as a blob, counts once.
    const rows = await this.atomic.read(function* (sql) {
      return yield* sql.all<{ repository: string; count: unknown; bytes: unknown }>(
        `SELECT repository, COUNT(*) AS count, SUM(size) AS bytes FROM (
           SELECT repository, digest, size FROM blob_links UNION SELECT repository, digest, size FROM manifests
         ) stored GROUP BY repository`,
      );
    });
    return new Map(rows.map((r) => [r.repository, { blobCount: Number(r.count), totalBytes: Number(r.bytes ?? 0) }]));
  }

  async storedBytesOf(repositories: string[]): Promise<StoredBytes> {
    if (repositories.length === 0) return { blobCount: 0, totalBytes: 0 };
    const list = placeholders(repositories);
    const row = await this.atomic.read(function* (sql) {
      return yield* sql.get<{ count: unknown; bytes: unknown }>(
        `SELECT COUNT(*) AS count, SUM(size) AS bytes FROM (
           SELECT digest, size FROM blob_links WHERE repository IN (${list}) UNION SELECT digest, size FROM manifests WHERE repository IN (${list})
         ) stored`,
        ...repositories,
        ...repositories,
      );
    });
    return { blobCount: Number(row?.count ?? 0), totalBytes: Number(row?.bytes ?? 0) };
  }

  async sizes(digests: string[]): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    for (const chunk of chunks([...new Set(digests)])) {
      await this.atomic.read(function* (sql) {
        const list = placeholders(chunk);
        for (const table of ['blob_links', 'manifests']) {
          for (const r of yield* sql.all<{ digest: string; size: number }>(`SELECT digest, MAX(size) AS size FROM ${table} WHERE digest IN (${list}) GROUP BY digest`, ...chunk)) {
            sizes.set(r.digest, Number(r.size));
          }
        }
      });
    }
    return sizes;
  }

  async heldElsewhere(digests: string[], repository: string, excluded: ManifestKey[]): Promise<Set<string>> {
    const skip = new Set(excluded.map((m) => key(m.image, m.digest)));
    const isExcluded = (repo: string, image: string, manifest: string) => repo === repository && skip.has(key(image, manifest));
    const held = new Set<string>();
    for (const chunk of chunks([...new Set(digests)])) {
      await this.atomic.read(function* (sql) {
        const list = placeholders(chunk);
        for (const r of yield* sql.all<{ repository: string; image: string; manifest: string; digest: string }>(
          `SELECT repository, image, manifest, digest FROM manifest_references WHERE digest IN (${list})`,
          ...chunk,
        )) {
          if (!isExcluded(r.repository, r.image, r.manifest)) held.add(r.digest);
        }
        for (const r of yield* sql.all<{ repository: string; image: string; digest: string }>(`SELECT repository, image, digest FROM manifests WHERE digest IN (${list})`, ...chunk)) {
          if (!isExcluded(r.repository, r.image, r.digest)) held.add(r.digest);
        }
      });
    }
    return held;
  }

  async remove(repository: string, tags: TagKey[], manifests: ManifestKey[]): Promise<{ tags: TagKey[]; manifests: ManifestKey[] }> {
    return this.atomic.run(function* (sql) {
      yield* sql.lock(...manifests.map((m) => m.digest), ...tags.map((t) => t.digest));
      const removedTags: TagKey[] = [];
      for (const t of tags) {
        if ((yield* sql.run('DELETE FROM tags WHERE repository = ? AND image = ? AND name = ? AND digest = ?', repository, t.image, t.tag, t.digest)) > 0) removedTags.push(t);
      }
      const removed: ManifestKey[] = [];
      let remaining = [...manifests];
      // Parents before children: repeat while a pass removes something (a child is free once its parents are gone).
      for (let progress = true; progress && remaining.length > 0; ) {
        progress = false;
        const next: ManifestKey[] = [];
        for (const m of remaining) {
          if (yield* stillNeeded(sql, repository, m)) {
            next.push(m);
            continue;
          }
          yield* sql.run('DELETE FROM manifest_references WHERE repository = ? AND image = ? AND manifest = ?', repository, m.image, m.digest);
          if ((yield* sql.run('DELETE FROM manifests WHERE repository = ? AND image = ? AND digest = ?', repository, m.image, m.digest)) > 0) removed.push(m);
          progress = true;
        }
        remaining = next;
      }
      return { tags: removedTags, manifests: removed };
    });
  }
}

/** A tag on it, a manifest of the image referencing it (an index), or a tagged referrer of it keeps a manifest. */
function* stillNeeded(sql: Sql, repository: string, m: ManifestKey): Generator<Step, boolean, unknown> {
  return Boolean(
    (yield* sql.get('SELECT 1 AS tagged FROM tags WHERE repository = ? AND image = ? AND digest = ?', repository, m.image, m.digest)) ??
      (yield* sql.get('SELECT 1 AS child FROM manifest_references WHERE repository = ? AND image = ? AND digest = ?', repository, m.image, m.digest)) ??
      (yield* sql.get(
        `SELECT 1 AS signed FROM manifests s JOIN tags t ON t.repository = s.repository AND t.image = s.image AND t.digest = s.digest
         WHERE s.repository = ? AND s.image = ? AND s.subject = ?`,
        repository,
        m.image,
        m.digest,
      )),
  );
}

function key(image: string, digest: string): string {
  return `${image}\u0000${digest}`;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function placeholders(items: unknown[]): string {
  return items.map(() => '?').join(', ');
}
