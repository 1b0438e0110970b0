/** Test databases: SQLite `:memory:` (or a file in a temp dir) with the committed migrations applied. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '@wharf/migrations';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../src/data-source';

export function openMemoryDatabase(): Promise<DataSource> {
  return openDatabase({ sqlitePath: ':memory:', migrations: MIGRATIONS });
}

export function openFileDatabase(path: string): Promise<DataSource> {
  return openDatabase({ sqlitePath: path, migrations: MIGRATIONS });
}

export async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-persistence-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Rows of a table for one repository, for checking what an adapter left behind. */
export async function countRows(db: DataSource, table: string, repository: string): Promise<number> {
  const column = table === 'repositories' ? 'name' : 'repository';
  const rows: { n: number }[] = await db.query(`SELECT COUNT(*) AS n FROM "${table}" WHERE "${column}" = ?`, [repository]);
  return Number(rows[0]!.n);
}

/** Byte order, as SQLite's BINARY collation sorts (what the distribution spec calls lexical). */
export function byteOrder(values: string[]): string[] {
  return [...values].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

export function sha(n: number | string): string {
  return `sha256:${String(n).padStart(64, '0')}`;
}
