import { randomUUID } from 'node:crypto';
import { RegistryError } from '@wharf/oci';
import { type BlobClaim, BlobClaims } from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { Atomic } from '../sql/atomic';

export interface BlobClaimOptions {
  /** A claim lasts this long unless renewed (a writer that died frees it after this). */
  leaseMs?: number;
  /** How long a writer waits for a collection deleting the same digest before giving up. */
  waitMs?: number;
}

/**
 * Claims as rows of `blob_claims`, renewed while held. Taking a claim and a collection's decision to
 * delete (GarbageLedger.beginDeletion) are atomic sections locking the same digest, so one of them
 * always sees the other.
 */
export class TypeOrmBlobClaims extends BlobClaims {
  private readonly atomic: Atomic;
  private readonly leaseMs: number;
  private readonly waitMs: number;

  constructor(db: DataSource, options: BlobClaimOptions = {}) {
    super();
    this.atomic = new Atomic(db);
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.waitMs = options.waitMs ?? 30_000;
  }

  async claim(digest: string): Promise<BlobClaim> {
    const id = randomUUID();
    const deadline = Date.now() + this.waitMs;
    for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
      if (await this.tryClaim(id, digest)) break;
      if (Date.now() > deadline) {
        throw new RegistryError('UNAVAILABLE', `blob ${digest} is being removed by garbage collection; retry`, undefined, {
          headers: { 'Retry-After': '1' },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    // Renewed well before expiry while the writer works (a 1 GiB proxy fill may take minutes).
    const renew = () => {
      const expiresAt = new Date(Date.now() + this.leaseMs);
      void this.atomic
        .run(function* (sql) {
          yield* sql.run('UPDATE blob_claims SET "expiresAt" = ? WHERE id = ?', expiresAt, id);
        })
        .catch(() => undefined);
    };
    const timer = setInterval(renew, this.leaseMs / 3);
    timer.unref();
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        await this.atomic.run(function* (sql) {
          yield* sql.run('DELETE FROM blob_claims WHERE id = ?', id);
        });
      },
    };
  }

  /** Inserts the claim unless a deletion of the digest runs; a deletion whose lease ran out is taken over. */
  private tryClaim(id: string, digest: string): Promise<boolean> {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.leaseMs);
    return this.atomic.run(function* (sql) {
      yield* sql.lock(digest);
      yield* sql.run('DELETE FROM blob_deletions WHERE digest = ? AND "expiresAt" < ?', digest, now);
      if (yield* sql.get('SELECT 1 AS deleting FROM blob_deletions WHERE digest = ?', digest)) return false;
      yield* sql.run('INSERT INTO blob_claims (id, digest, "expiresAt") VALUES (?, ?, ?)', id, digest, expiresAt);
      return true;
    });
  }
}
