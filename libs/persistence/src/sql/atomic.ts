import type { DataSource, QueryRunner } from 'typeorm';
import { dialectOfDataSource } from '../data-source';
import { fromSqliteTime, SqliteAtomic, type SyncSql } from './sqlite-atomic';

/** One step of an atomic section, yielded by the section and run by the dialect's driver. */
export interface Step {
  kind: 'all' | 'get' | 'run' | 'lock';
  sql: string;
  params: unknown[];
}

/**
 * Statements inside an atomic section, used with `yield*`. SQL is written once for both dialects: `?`
 * placeholders, camelCase columns quoted ("createdAt"), `ON CONFLICT` for upserts.
 */
export interface Sql {
  all<R>(sql: string, ...params: unknown[]): Generator<Step, R[], unknown>;
  get<R>(sql: string, ...params: unknown[]): Generator<Step, R | undefined, unknown>;
  /** A write; returns the number of rows it changed. */
  run(sql: string, ...params: unknown[]): Generator<Step, number, unknown>;
  /**
   * Serialises this section with every other section that locks one of `keys` (digests), until it ends.
   * PostgreSQL: transaction-scoped advisory locks, taken in sorted order. SQLite: sections never overlap.
   */
  lock(...keys: string[]): Generator<Step, void, unknown>;
}

export type Section<T> = (sql: Sql) => Generator<Step, T, unknown>;

const sql: Sql = {
  *all<R>(text: string, ...params: unknown[]): Generator<Step, R[], unknown> {
    const rows: unknown = yield { kind: 'all', sql: text, params };
    return rows as R[];
  },
  *get<R>(text: string, ...params: unknown[]): Generator<Step, R | undefined, unknown> {
    const row: unknown = yield { kind: 'get', sql: text, params };
    return row as R | undefined;
  },
  *run(text: string, ...params: unknown[]): Generator<Step, number, unknown> {
    const changed: unknown = yield { kind: 'run', sql: text, params };
    return changed as number;
  },
  *lock(...keys: string[]): Generator<Step, void, unknown> {
    yield { kind: 'lock', sql: '', params: [...new Set(keys)].sort() };
  },
};

/** How many times a PostgreSQL section is tried again after a deadlock or a serialisation failure. */
const RETRIES = 5;

/**
 * Runs a group of statements as one transaction that the decisions of garbage collection can rely on,
 * on either database, from ONE definition of the statements (a generator the driver feeds):
 * - SQLite: synchronously, on TypeORM's one connection, once no TypeORM transaction is open
 *   (see SqliteAtomic): nothing interleaves, within the process or across processes.
 * - PostgreSQL: a real transaction on its own connection; sections that touch the same digests
 *   serialise on advisory locks (`sql.lock`), so a check and the write it guards cannot be split by
 *   another section's check-and-write (READ COMMITTED alone would let two of them miss each other).
 */
export class Atomic {
  private readonly sqlite: SqliteAtomic | null;

  constructor(private readonly db: DataSource) {
    this.sqlite = dialectOfDataSource(db) === 'sqlite' ? new SqliteAtomic(db) : null;
  }

  get dialect(): 'sqlite' | 'postgres' {
    return this.sqlite ? 'sqlite' : 'postgres';
  }

  /** A read-write transaction. */
  async run<T>(section: Section<T>): Promise<T> {
    if (this.sqlite) return this.sqlite.run((s) => driveSync(section, s));
    for (let attempt = 1; ; attempt += 1) {
      const runner = this.db.createQueryRunner();
      try {
        await runner.connect();
        await runner.startTransaction();
        const result = await driveAsync(section, runner);
        await runner.commitTransaction();
        return result;
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        if (attempt < RETRIES && isRetryable(err)) continue;
        throw err;
      } finally {
        await runner.release();
      }
    }
  }

  /** Reads (no transaction on PostgreSQL; one uninterleaved turn on SQLite). */
  async read<T>(section: Section<T>): Promise<T> {
    if (this.sqlite) return this.sqlite.read((s) => driveSync(section, s));
    const runner = this.db.createQueryRunner();
    try {
      await runner.connect();
      return await driveAsync(section, runner);
    } finally {
      await runner.release();
    }
  }
}

/** A timestamp as either driver returns it (SQLite: TypeORM's text form; PostgreSQL: a Date). */
export function asDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const date = fromSqliteTime(String(value));
  if (!date) throw new Error(`not a timestamp: ${String(value)}`);
  return date;
}

function driveSync<T>(section: Section<T>, s: SyncSql): T {
  const steps = section(sql);
  let next = steps.next();
  while (!next.done) {
    const step = next.value;
    let result: unknown;
    if (step.kind === 'all') result = s.all(step.sql, ...step.params);
    else if (step.kind === 'get') result = s.get(step.sql, ...step.params);
    else if (step.kind === 'run') result = s.run(step.sql, ...step.params);
    next = steps.next(result);
  }
  return next.value;
}

async function driveAsync<T>(section: Section<T>, runner: QueryRunner): Promise<T> {
  const steps = section(sql);
  let next = steps.next();
  while (!next.done) {
    const step = next.value;
    let result: unknown;
    if (step.kind === 'lock') {
      for (const key of step.params) await runner.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
    } else {
      const out = await runner.query(numbered(step.sql), step.params, true);
      if (step.kind === 'all') result = out.records;
      else if (step.kind === 'get') result = out.records[0];
      else result = out.affected ?? 0;
    }
    next = steps.next(result);
  }
  return next.value;
}

/** `?` placeholders as PostgreSQL's `$1, $2 ...` (the statements here never contain a literal `?`). */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${(n += 1)}`);
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code ?? (err as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}
