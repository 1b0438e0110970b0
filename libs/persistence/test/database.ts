/**
 * Test databases of both dialects, with the committed migrations applied: SQLite `:memory:` (or a
 * file in a temp dir), and a PostgreSQL database of its own on the run's server (test/services).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '@wharf/migrations';
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe } from 'vitest';
import { createPostgresDatabase } from '../../../test/services/databases';
import { type Dialect, dialectOfDataSource, openDatabase } from '../src/data-source';

/** The persistence suites run once per dialect. */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export function openMemoryDatabase(): Promise<DataSource> {
  return openDatabase({ sqlitePath: ':memory:', migrations: MIGRATIONS });
}

export function openFileDatabase(path: string): Promise<DataSource> {
  return openDatabase({ sqlitePath: path, migrations: MIGRATIONS });
}

/**
 * An adapter suite run on each dialect (`<name> on sqlite`, `<name> on postgres`): every test gets an empty
 * database of its own, `db()`, opened before it and handed back after it.
 */
export function describeOnEachDialect(name: string, body: (db: () => DataSource, dialect: Dialect) => void): void {
  describe.each(DIALECTS)(`${name} on %s`, (dialect) => {
    let current: DataSource | undefined;
    beforeEach(async () => {
      current = await openTestDatabase(dialect);
    });
    afterEach(async () => {
      if (current) await closeTestDatabase(current);
      current = undefined;
    });
    body(() => {
      if (!current) throw new Error('the test database exists only while a test runs');
      return current;
    }, dialect);
  });
}

/**
 * PostgreSQL databases of this test file that no test is using: a database (and its open
 * DataSource) is made once and emptied for the next test, which is far cheaper than a new one.
 */
const idle: DataSource[] = [];

/** An empty database of the dialect with the current schema; hand it back with closeTestDatabase. */
export async function openTestDatabase(dialect: Dialect): Promise<DataSource> {
  if (dialect === 'sqlite') return openMemoryDatabase();
  const reused = idle.pop();
  if (reused) {
    await emptyPostgres(reused);
    return reused;
  }
  return openDatabase({ sqlitePath: ':memory:', url: await createPostgresDatabase(), migrations: MIGRATIONS });
}

export async function closeTestDatabase(db: DataSource): Promise<void> {
  if (dialectOfDataSource(db) === 'postgres' && db.isInitialized) idle.push(db);
  else if (db.isInitialized) await db.destroy();
}

/** Deletes every row and restarts the sequences, leaving the schema (and the migrations table) as it is. */
async function emptyPostgres(db: DataSource): Promise<void> {
  const tables: { name: string }[] = await db.query("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'");
  const sequences: { name: string }[] = await db.query("SELECT sequencename AS name FROM pg_sequences WHERE schemaname = 'public'");
  const statements = [
    ...tables.map((t) => `DELETE FROM "${t.name}"`),
    ...sequences.filter((q) => !q.name.startsWith('migrations_')).map((q) => `ALTER SEQUENCE "${q.name}" RESTART`),
  ];
  if (statements.length > 0) await db.query(statements.join('; '));
}

export async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-persistence-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Rows of a table for one repository, for checking what an adapter left behind. */
export async function countRows(db: DataSource, table: string, repository: string): Promise<number> {
  const column = table === 'repositories' ? 'name' : 'repository';
  const placeholder = dialectOfDataSource(db) === 'postgres' ? '$1' : '?';
  const rows: { n: number }[] = await db.query(`SELECT COUNT(*) AS n FROM "${table}" WHERE "${column}" = ${placeholder}`, [repository]);
  return Number(rows[0]!.n);
}

/** Byte order, as SQLite's BINARY collation sorts (what the distribution spec calls lexical). */
export function byteOrder(values: string[]): string[] {
  return [...values].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

export function sha(n: number | string): string {
  return `sha256:${String(n).padStart(64, '0')}`;
}
