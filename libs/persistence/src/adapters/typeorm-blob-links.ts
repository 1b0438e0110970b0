import { type BlobLinks } from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { BlobLinkEntity } from '../entities';
import { OnTable } from './table-adapter';
import { Atomic, type Sql, type Step } from '../sql/atomic';

/** Does a link, a manifest or a manifest reference hold `digest` (used by linkIfHeld and the collector)? */
export function* heldByMetadata(sql: Sql, digest: string): Generator<Step, boolean, unknown> {
  return Boolean(
    (yield* sql.get('SELECT 1 AS held FROM blob_links WHERE digest = ?', digest)) ??
      (yield* sql.get('SELECT 1 AS held FROM manifests WHERE digest = ?', digest)) ??
      (yield* sql.get('SELECT 1 AS held FROM manifest_references WHERE digest = ?', digest)),
  );
}

/** `blob_links."createdAt"` is when the link was made or last confirmed to a pusher (its grace against collection). */
export class TypeOrmBlobLinks extends OnTable<BlobLinkEntity> implements BlobLinks {
  private readonly atomic: Atomic;

  constructor(db: DataSource) {
    super(db, BlobLinkEntity);
    this.atomic = new Atomic(db);
  }

  async link(repository: string, image: string, digest: string, size: number): Promise<void> {
    const now = new Date();
    await this.atomic.run(function* (sql) {
      yield* sql.lock(digest);
      yield* sql.run(
        'INSERT INTO blob_links (repository, image, digest, size, "createdAt") VALUES (?, ?, ?, ?, ?) ON CONFLICT (repository, image, digest) DO UPDATE SET "createdAt" = excluded."createdAt"',
        repository,
        image,
        digest,
        size,
        now,
      );
    });
  }

  async linkIfHeld(repository: string, image: string, digest: string, size: number): Promise<boolean> {
    const now = new Date();
    return this.atomic.run(function* (sql) {
      yield* sql.lock(digest);
      if (yield* sql.get('SELECT 1 AS held FROM blob_links WHERE repository = ? AND image = ? AND digest = ?', repository, image, digest)) return true;
      if (yield* sql.get('SELECT 1 AS deleting FROM blob_deletions WHERE digest = ?', digest)) return false;
      if (!(yield* heldByMetadata(sql, digest))) return false;
      yield* sql.run('INSERT INTO blob_links (repository, image, digest, size, "createdAt") VALUES (?, ?, ?, ?, ?)', repository, image, digest, size, now);
      return true;
    });
  }

  async confirm(repository: string, image: string, digest: string, staleBefore: Date): Promise<boolean> {
    const now = new Date();
    return this.atomic.run(function* (sql) {
      yield* sql.lock(digest);
      if (!(yield* sql.get('SELECT 1 AS linked FROM blob_links WHERE repository = ? AND image = ? AND digest = ?', repository, image, digest))) return false;
      yield* sql.run(
        'UPDATE blob_links SET "createdAt" = ? WHERE repository = ? AND image = ? AND digest = ? AND "createdAt" < ?',
        now,
        repository,
        image,
        digest,
        staleBefore,
      );
      return true;
    });
  }

  async get(repository: string, image: string, digest: string): Promise<{ size: number; linkedAt: Date } | null> {
    const row = await this.rows.findOne({ select: { size: true, createdAt: true }, where: { repository, image, digest } });
    return row ? { size: row.size, linkedAt: row.createdAt } : null;
  }

  async inRepository(repository: string, digest: string): Promise<boolean> {
    return (await this.rows.count({ where: { repository, digest }, take: 1 })) > 0;
  }

  async unlink(repository: string, image: string, digest: string): Promise<boolean> {
    const result = await this.rows.delete({ repository, image, digest });
    return (result.affected ?? 0) > 0;
  }
}
