import { GarbageLedger } from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { Atomic } from '../sql/atomic';
import { heldByMetadata } from './typeorm-blob-links';

/**
 * Digests per transaction when a long list is decided or finished: short locks, so pushes and pulls go on
 * in between. On SQLite a section runs synchronously, so this also bounds how long one blocks the event
 * loop: manifest GETs wait behind at most one chunk of ~6 statements per digest.
 */
const CHUNK = 50;

export class TypeOrmGarbageLedger extends GarbageLedger {
  private readonly atomic: Atomic;

  constructor(db: DataSource) {
    super();
    this.atomic = new Atomic(db);
  }

  async dropUnreferencedLinks(before: Date): Promise<number> {
    const unreferenced = `FROM blob_links l WHERE l."createdAt" < ? AND NOT EXISTS (
      SELECT 1 FROM manifest_references r WHERE r.repository = l.repository AND r.image = l.image AND r.digest = l.digest)`;
    const candidates = await this.atomic.read(function* (sql) {
      return (yield* sql.all<{ digest: string }>(`SELECT DISTINCT l.digest ${unreferenced}`, before)).map((r) => r.digest).sort();
    });
    let dropped = 0;
    for (let i = 0; i < candidates.length; i += CHUNK) {
      const chunk = candidates.slice(i, i + CHUNK);
      dropped += await this.atomic.run(function* (sql) {
        let n = 0;
        for (const digest of chunk) {
          yield* sql.lock(digest);
          // Checked again under the digest's lock: a manifest push may have referenced the link since.
          n += yield* sql.run(
            `DELETE FROM blob_links WHERE digest = ? AND "createdAt" < ? AND NOT EXISTS (
               SELECT 1 FROM manifest_references r WHERE r.repository = blob_links.repository AND r.image = blob_links.image AND r.digest = blob_links.digest)`,
            digest,
            before,
          );
        }
        return n;
      });
    }
    return dropped;
  }

  async heldDigests(): Promise<Set<string>> {
    const now = new Date();
    return this.atomic.read(function* (sql) {
      const held = new Set<string>();
      for (const table of ['manifests', 'manifest_references', 'blob_links']) {
        for (const row of yield* sql.all<{ digest: string }>(`SELECT DISTINCT digest FROM ${table}`)) held.add(row.digest);
      }
      for (const row of yield* sql.all<{ digest: string }>('SELECT digest FROM blob_claims WHERE "expiresAt" >= ?', now)) held.add(row.digest);
      return held;
    });
  }

  async beginDeletion(digests: string[], owner: string, leaseMs: number): Promise<string[]> {
    const sorted = [...new Set(digests)].sort();
    const decided: string[] = [];
    for (let i = 0; i < sorted.length; i += CHUNK) {
      const chunk = sorted.slice(i, i + CHUNK);
      const now = new Date();
      const expires = new Date(now.getTime() + leaseMs);
      decided.push(
        ...(await this.atomic.run(function* (sql) {
          const ours: string[] = [];
          for (const digest of chunk) {
            yield* sql.lock(digest);
            if (yield* heldByMetadata(sql, digest)) continue;
            if (yield* sql.get('SELECT 1 AS claimed FROM blob_claims WHERE digest = ? AND "expiresAt" >= ?', digest, now)) continue;
            if (yield* sql.get('SELECT 1 AS deleting FROM blob_deletions WHERE digest = ?', digest)) continue;
            yield* sql.run('INSERT INTO blob_deletions (digest, owner, "startedAt", "expiresAt") VALUES (?, ?, ?, ?)', digest, owner, now, expires);
            ours.push(digest);
          }
          return ours;
        })),
      );
    }
    return decided;
  }

  async stillDeleting(digests: string[], owner: string): Promise<string[]> {
    const now = new Date();
    return this.atomic.read(function* (sql) {
      const ours: string[] = [];
      for (const d of digests) {
        if (yield* sql.get('SELECT 1 AS ours FROM blob_deletions WHERE digest = ? AND owner = ? AND "expiresAt" >= ?', d, owner, now)) ours.push(d);
      }
      return ours;
    });
  }

  async endDeletion(digests: string[]): Promise<void> {
    for (let i = 0; i < digests.length; i += CHUNK) {
      const chunk = digests.slice(i, i + CHUNK);
      await this.atomic.run(function* (sql) {
        for (const d of chunk) yield* sql.run('DELETE FROM blob_deletions WHERE digest = ?', d);
      });
    }
  }

  async resumeDeletions(owner: string, leaseMs: number): Promise<string[]> {
    const now = new Date();
    const expires = new Date(now.getTime() + leaseMs);
    return this.atomic.run(function* (sql) {
      const expired = (yield* sql.all<{ digest: string }>('SELECT digest FROM blob_deletions WHERE "expiresAt" < ?', now)).map((r) => r.digest).sort();
      const taken: string[] = [];
      for (const d of expired) {
        yield* sql.lock(d);
        // A writer may have taken the expired deletion over (deleting the row) meanwhile.
        if ((yield* sql.run('UPDATE blob_deletions SET owner = ?, "expiresAt" = ? WHERE digest = ? AND "expiresAt" < ?', owner, expires, d, now)) > 0) taken.push(d);
      }
      return taken;
    });
  }

  async abandonDeletions(): Promise<number> {
    return this.atomic.run(function* (sql) {
      return yield* sql.run('UPDATE blob_deletions SET "expiresAt" = ?', new Date(0));
    });
  }
}
