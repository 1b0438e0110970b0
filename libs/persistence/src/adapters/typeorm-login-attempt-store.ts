import { createHash } from 'node:crypto';
import { type FailureQuery, LoginAttemptStore } from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { Atomic, type Sql } from '../sql/atomic';

/** Every this many writes, expired rows of every key are deleted (those of the keys written go at once). */
const SWEEP_EVERY = 64;

/**
 * The login throttle's records in the database (login_failures, login_successes), so that every replica
 * counts the same failures: limits hold for the deployment, not once per replica, and survive a restart.
 * Keys are stored hashed (see LoginFailureEntity). Rows are deleted once expired: a key's when it is
 * written again, every key's on every SWEEP_EVERY-th write, so the tables hold about one window's worth.
 */
export class TypeOrmLoginAttemptStore extends LoginAttemptStore {
  private readonly atomic: Atomic;
  private writes = 0;

  constructor(db: DataSource) {
    super();
    this.atomic = new Atomic(db);
  }

  failures(queries: FailureQuery[]): Promise<number[][]> {
    if (queries.length === 0) return Promise.resolve([]);
    return this.atomic.read(function* (sql) {
      const result: number[][] = [];
      for (const { key, since, limit } of queries) {
        const rows = yield* sql.all<{ at: string | number }>(
          'SELECT at FROM login_failures WHERE "keyHash" = ? AND at > ? ORDER BY at DESC LIMIT ?',
          hashKey(key),
          since,
          Math.max(0, Math.floor(limit)),
        );
        result.push(rows.map((r) => Number(r.at)));
      }
      return result;
    });
  }

  async addFailure(keys: string[], at: number, keepMs: number): Promise<void> {
    if (keys.length === 0) return;
    const hashes = keys.map(hashKey);
    const sweep = this.sweepDue();
    await this.atomic.run(function* (sql) {
      const marks = hashes.map(() => '?').join(', ');
      yield* sql.run(`DELETE FROM login_failures WHERE "keyHash" IN (${marks}) AND "expiresAt" <= ?`, ...hashes, at);
      for (const hash of hashes) yield* sql.run('INSERT INTO login_failures ("keyHash", at, "expiresAt") VALUES (?, ?, ?)', hash, at, at + keepMs);
      if (sweep) yield* sweepExpired(sql, at);
    });
  }

  async clearFailures(key: string): Promise<void> {
    await this.atomic.run(function* (sql) {
      yield* sql.run('DELETE FROM login_failures WHERE "keyHash" = ?', hashKey(key));
    });
  }

  async addSuccess(key: string, at: number, keepMs: number): Promise<void> {
    const sweep = this.sweepDue();
    await this.atomic.run(function* (sql) {
      yield* sql.run(
        'INSERT INTO login_successes ("keyHash", at, "expiresAt") VALUES (?, ?, ?) ' +
          'ON CONFLICT ("keyHash") DO UPDATE SET at = excluded.at, "expiresAt" = excluded."expiresAt" WHERE login_successes.at < excluded.at',
        hashKey(key),
        at,
        at + keepMs,
      );
      if (sweep) yield* sweepExpired(sql, at);
    });
  }

  lastSuccess(key: string): Promise<number | null> {
    return this.atomic.read(function* (sql) {
      const row = yield* sql.get<{ at: string | number }>('SELECT at FROM login_successes WHERE "keyHash" = ?', hashKey(key));
      return row === undefined ? null : Number(row.at);
    });
  }

  private sweepDue(): boolean {
    this.writes = (this.writes + 1) % SWEEP_EVERY;
    return this.writes === 0;
  }
}

function* sweepExpired(sql: Sql, now: number) {
  yield* sql.run('DELETE FROM login_failures WHERE "expiresAt" <= ?', now);
  yield* sql.run('DELETE FROM login_successes WHERE "expiresAt" <= ?', now);
}

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
