import { type ManifestDownload, type ManifestIndex, type ManifestRecord } from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { dialectOfDataSource } from '../data-source';
import { ManifestEntity } from '../entities';
import { presentFields } from './present-fields';
import { OnTable } from './table-adapter';
import { Atomic } from '../sql/atomic';
import { SqliteAtomic } from '../sql/sqlite-atomic';

export class TypeOrmManifestIndex extends OnTable<ManifestEntity> implements ManifestIndex {
  private readonly atomic: Atomic;
  /** SQLite's batched download writes; PostgreSQL writes a batch in one UPDATE. */
  private readonly sqlite: SqliteAtomic | null;

  constructor(db: DataSource) {
    super(db, ManifestEntity);
    this.atomic = new Atomic(db);
    this.sqlite = dialectOfDataSource(db) === 'sqlite' ? new SqliteAtomic(db) : null;
  }

  async get(repository: string, image: string, digest: string): Promise<ManifestRecord | null> {
    const row = await this.rows.findOneBy({ repository, image, digest });
    return row ? toRecord(row) : null;
  }

  async put(repository: string, image: string, record: ManifestRecord, references: string[], requirePresent: string[] = []): Promise<string | null> {
    const unique = [...new Set(references)];
    const fields = [record.mediaType, record.size, record.artifactType ?? null, record.subject ?? null, record.annotations ? JSON.stringify(record.annotations) : null];
    return this.atomic.run(function* (sql) {
      yield* sql.lock(record.digest, ...requirePresent);
      for (const digest of requirePresent) {
        const present =
          (yield* sql.get('SELECT 1 AS linked FROM blob_links WHERE repository = ? AND image = ? AND digest = ?', repository, image, digest)) ??
          (yield* sql.get('SELECT 1 AS stored FROM manifests WHERE repository = ? AND image = ? AND digest = ?', repository, image, digest));
        if (!present) return digest;
      }
      const updated = yield* sql.run(
        'UPDATE manifests SET "mediaType" = ?, size = ?, "artifactType" = ?, subject = ?, annotations = ? WHERE repository = ? AND image = ? AND digest = ?',
        ...fields,
        repository,
        image,
        record.digest,
      );
      if (updated === 0) {
        // A first put keeps the times it brings (a proxy records the pull that cached it); a re-put keeps the stored ones.
        yield* sql.run(
          `INSERT INTO manifests ("mediaType", size, "artifactType", subject, annotations, repository, image, digest, "createdAt", "lastDownloadedAt", "verifiedAt")
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ...fields,
          repository,
          image,
          record.digest,
          record.createdAt,
          record.lastDownloadedAt ?? null,
          record.verifiedAt ?? null,
        );
      }
      for (const digest of unique) {
        yield* sql.run(
          'INSERT INTO manifest_references (repository, image, manifest, digest) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
          repository,
          image,
          record.digest,
          digest,
        );
      }
      return null;
    });
  }

  async markVerified(repository: string, image: string, digest: string, at: Date): Promise<void> {
    await this.rows.update({ repository, image, digest }, { verifiedAt: at });
  }

  async delete(repository: string, image: string, digest: string): Promise<boolean> {
    return this.atomic.run(function* (sql) {
      yield* sql.lock(digest);
      yield* sql.run('DELETE FROM manifest_references WHERE repository = ? AND image = ? AND manifest = ?', repository, image, digest);
      return (yield* sql.run('DELETE FROM manifests WHERE repository = ? AND image = ? AND digest = ?', repository, image, digest)) > 0;
    });
  }

  async referrers(repository: string, image: string, subject: string): Promise<ManifestRecord[]> {
    const rows = await this.rows.find({ where: { repository, image, subject }, order: { digest: 'ASC' } });
    return rows.map(toRecord);
  }

  async hasImage(repository: string, image: string): Promise<boolean> {
    return (await this.rows.countBy({ repository, image })) > 0;
  }

  async recordDownloads(downloads: ManifestDownload[]): Promise<void> {
    // One transaction per chunk keeps each lock short when a large batch is written.
    for (let i = 0; i < downloads.length; i += 500) {
      const chunk = downloads.slice(i, i + 500);
      if (!this.sqlite) {
        await this.recordDownloadsPostgres(chunk);
        continue;
      }
      await this.sqlite.run((sql) => {
        for (const d of chunk) {
          sql.run(
            'UPDATE manifests SET "lastDownloadedAt" = ? WHERE repository = ? AND image = ? AND digest = ? AND ("lastDownloadedAt" IS NULL OR "lastDownloadedAt" < ?)',
            d.at,
            d.repository,
            d.image,
            d.digest,
            d.at,
          );
        }
      });
    }
  }

  /** One UPDATE for the chunk, the latest time per manifest (a row matched twice would be updated once, arbitrarily). */
  private async recordDownloadsPostgres(chunk: ManifestDownload[]): Promise<void> {
    const latest = new Map<string, ManifestDownload>();
    for (const d of chunk) {
      const key = JSON.stringify([d.repository, d.image, d.digest]);
      const seen = latest.get(key);
      if (!seen || seen.at < d.at) latest.set(key, d);
    }
    const rows = [...latest.values()];
    const values = rows.map((_, n) => `($${4 * n + 1}, $${4 * n + 2}, $${4 * n + 3}, $${4 * n + 4}::timestamp)`).join(', ');
    await this.db.query(
      `UPDATE manifests AS m SET "lastDownloadedAt" = v.at FROM (VALUES ${values}) AS v(repository, image, digest, at)
       WHERE m.repository = v.repository AND m.image = v.image AND m.digest = v.digest
         AND (m."lastDownloadedAt" IS NULL OR m."lastDownloadedAt" < v.at)`,
      rows.flatMap((d) => [d.repository, d.image, d.digest, d.at]),
    );
  }
}

function toRecord({ digest, mediaType, size, createdAt, artifactType, subject, annotations, lastDownloadedAt, verifiedAt }: ManifestEntity): ManifestRecord {
  const parsed = annotations ? (JSON.parse(annotations) as Record<string, string>) : null;
  return { digest, mediaType, size, createdAt, ...presentFields({ artifactType, subject, annotations: parsed, lastDownloadedAt, verifiedAt }) };
}
