import { type ManifestDownload, ManifestIndex, type ManifestRecord } from '@wharf/registry-core';
import type { DataSource, Repository } from 'typeorm';
import { ManifestEntity, ManifestReferenceEntity } from '../entities';
import { dialectOfDataSource } from '../data-source';
import { SqliteAtomic } from '../sql/sqlite-atomic';

export class TypeOrmManifestIndex extends ManifestIndex {
  private readonly manifests: Repository<ManifestEntity>;
  /** SQLite's atomic sections; PostgreSQL's own transactions need none. */
  private readonly atomic: SqliteAtomic | null;

  constructor(private readonly db: DataSource) {
    super();
    this.manifests = db.getRepository(ManifestEntity);
    this.atomic = dialectOfDataSource(db) === 'sqlite' ? new SqliteAtomic(db) : null;
  }

  async get(repository: string, image: string, digest: string): Promise<ManifestRecord | null> {
    const row = await this.manifests.findOneBy({ repository, image, digest });
    return row ? toRecord(row) : null;
  }

  async put(repository: string, image: string, record: ManifestRecord, references: string[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      const existing = await tx.findOneBy(ManifestEntity, { repository, image, digest: record.digest });
      await tx.save(ManifestEntity, {
        repository,
        image,
        digest: record.digest,
        mediaType: record.mediaType,
        size: record.size,
        artifactType: record.artifactType ?? null,
        subject: record.subject ?? null,
        annotations: record.annotations ? JSON.stringify(record.annotations) : null,
        createdAt: existing?.createdAt ?? record.createdAt,
        lastDownloadedAt: existing?.lastDownloadedAt ?? record.lastDownloadedAt ?? null,
      });
      const unique = [...new Set(references)];
      if (unique.length > 0) {
        await tx
          .createQueryBuilder()
          .insert()
          .into(ManifestReferenceEntity)
          .values(unique.map((digest) => ({ repository, image, manifest: record.digest, digest })))
          .orIgnore()
          .execute();
      }
    });
  }

  async delete(repository: string, image: string, digest: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.delete(ManifestReferenceEntity, { repository, image, manifest: digest });
      const result = await tx.delete(ManifestEntity, { repository, image, digest });
      return (result.affected ?? 0) > 0;
    });
  }

  async referrers(repository: string, image: string, subject: string): Promise<ManifestRecord[]> {
    const rows = await this.manifests.find({ where: { repository, image, subject }, order: { digest: 'ASC' } });
    return rows.map(toRecord);
  }

  async hasImage(repository: string, image: string): Promise<boolean> {
    return (await this.manifests.countBy({ repository, image })) > 0;
  }

  async recordDownloads(downloads: ManifestDownload[]): Promise<void> {
    // One transaction per chunk keeps each lock short when a large batch is written.
    for (let i = 0; i < downloads.length; i += 500) {
      const chunk = downloads.slice(i, i + 500);
      if (!this.atomic) {
        await this.recordDownloadsPostgres(chunk);
        continue;
      }
      await this.atomic.run((sql) => {
        for (const d of chunk) {
          sql.run(
            'UPDATE manifests SET lastDownloadedAt = ? WHERE repository = ? AND image = ? AND digest = ? AND (lastDownloadedAt IS NULL OR lastDownloadedAt < ?)',
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

function toRecord(row: ManifestEntity): ManifestRecord {
  return {
    digest: row.digest,
    mediaType: row.mediaType,
    size: row.size,
    createdAt: row.createdAt,
    ...(row.artifactType ? { artifactType: row.artifactType } : {}),
    ...(row.subject ? { subject: row.subject } : {}),
    ...(row.annotations ? { annotations: JSON.parse(row.annotations) as Record<string, string> } : {}),
    ...(row.lastDownloadedAt ? { lastDownloadedAt: row.lastDownloadedAt } : {}),
  };
}
