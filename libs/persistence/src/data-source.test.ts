import { readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '@wharf/migrations';
import type { DataSource } from 'typeorm';
import { DIALECTS, openFileDatabase, openMemoryDatabase, openTestDatabase, closeTestDatabase, tempDir } from '../test/database';
import { TypeOrmTagIndex } from './adapters/typeorm-tag-index';
import { createPostgresDatabase, dropPostgresDatabase } from '../../../test/services/databases';
import { createDataSource, dialectOfDataSource, openDatabase, pendingSchemaChanges } from './data-source';

const MIGRATIONS_DIR = join(__dirname, '..', '..', '..', 'migrations');
const open: DataSource[] = [];
const dirs: { remove(): Promise<void> }[] = [];

afterEach(async () => {
  for (const db of open.splice(0)) await closeTestDatabase(db);
  for (const d of dirs.splice(0)) await d.remove();
});

async function track(db: Promise<DataSource>): Promise<DataSource> {
  const opened = await db;
  open.push(opened);
  return opened;
}

async function pragma(db: DataSource, name: string): Promise<unknown> {
  const rows: Record<string, unknown>[] = await db.query(`PRAGMA ${name}`);
  return Object.values(rows[0] ?? {})[0];
}

async function userTables(db: DataSource): Promise<string[]> {
  const sql =
    dialectOfDataSource(db) === 'postgres'
      ? "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY tablename"
      : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'migrations' ORDER BY name";
  const rows: { name: string }[] = await db.query(sql);
  return rows.map((r) => r.name);
}

/** Every table, column and index definition, as the database describes them. */
async function schema(db: DataSource): Promise<string[]> {
  const sql =
    dialectOfDataSource(db) === 'postgres'
      ? `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS sql
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'migrations'
         UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY 1`
      : "SELECT sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name <> 'migrations' ORDER BY type, name";
  const rows: { sql: string | null }[] = await db.query(sql);
  return rows.map((r) => r.sql ?? '');
}

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  const migrations = MIGRATIONS[dialect];
  const openFresh = () => track(openTestDatabase(dialect));

  // The CI guard that the committed migrations produce exactly the schema the entities describe.
  it('leave nothing for the entities to change (migrations up to date)', async () => {
    const db = await openFresh();
    const { up } = await pendingSchemaChanges(db);
    expect(
      up,
      [
        `The TypeORM entities and the committed ${dialect} migrations disagree: the entities need ${up.length} more statement(s):`,
        ...up.map((q) => `  ${q}`),
        'Run `npm run migration:generate -- <Name>` (a PascalCase name for your change, e.g. AddTagVerifiedIndex): it writes',
        'the migration of each dialect under migrations/sqlite/ and migrations/postgres/ and registers them in migrations/index.ts;',
        'review the files, then commit them.',
      ].join('\n'),
    ).toEqual([]);
  });

  it('are all applied by openDatabase', async () => {
    const db = await openFresh();
    expect(await db.showMigrations()).toBe(false);
    const applied: { name: string }[] = await db.query('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((m) => m.name)).toEqual(migrations.map((M) => new M().name ?? M.name));
  });

  it(`are every migration file in migrations/${dialect}/, registered oldest first`, () => {
    const files = readdirSync(join(MIGRATIONS_DIR, dialect)).filter((f) => /^\d+-[A-Za-z0-9]+\.ts$/.test(f));
    expect(
      files.length,
      `migrations/${dialect}/ holds ${files.length} migration file(s) but MIGRATIONS.${dialect} lists ${migrations.length}: register new files in migrations/index.ts`,
    ).toBe(migrations.length);
    const names = migrations.map((M) => new M().name ?? M.name);
    const timestamps = names.map((name) => Number(/(\d{13})$/.exec(name)?.[1]));
    expect(timestamps.every((t) => Number.isFinite(t))).toBe(true);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    expect(new Set(names).size).toBe(migrations.length);
    for (const f of files) {
      const [stamp, name] = f.replace(/\.ts$/, '').split('-');
      expect(names, f).toContain(`${name}${stamp}`);
    }
  });

  it('can all be reverted and applied again, to the same schema', async () => {
    const db = await openFresh();
    const before = await schema(db);
    for (let i = 0; i < migrations.length; i++) await db.undoLastMigration({ transaction: 'each' });
    expect(await userTables(db), 'down() must drop what up() created').toEqual([]);
    await db.runMigrations({ transaction: 'each' });
    expect(await schema(db)).toEqual(before);
  });
});

describe('openDatabase', () => {
  it('keeps the database file in WAL mode, with the connection pragmas set', async () => {
    const tmp = await tempDir();
    dirs.push(tmp);
    const db = await track(openFileDatabase(join(tmp.dir, 'wharf.db')));
    expect(String(await pragma(db, 'journal_mode')).toLowerCase()).toBe('wal');
    expect(Number(await pragma(db, 'foreign_keys'))).toBe(1);
    expect(Number(await pragma(db, 'synchronous'))).toBe(1); // NORMAL
    expect(Number(await pragma(db, 'busy_timeout'))).toBe(5000);
    // Bounded, not better-sqlite3's 16 MiB.
    expect(Number(await pragma(db, 'cache_size'))).toBe(-4096);
  });

  it('survives a reopen: data stays, migrations are not applied twice, WAL stays on', async () => {
    const tmp = await tempDir();
    dirs.push(tmp);
    const file = join(tmp.dir, 'wharf.db');
    const first = await track(openFileDatabase(file));
    await new TypeOrmTagIndex(first).set('docker-hosted', 'app', 'v1', 'sha256:' + 'a'.repeat(64));
    expect((await stat(`${file}-wal`)).isFile()).toBe(true);
    const schemaBefore = await schema(first);
    await first.destroy();

    const second = await track(openFileDatabase(file));
    expect(String(await pragma(second, 'journal_mode')).toLowerCase()).toBe('wal');
    expect((await new TypeOrmTagIndex(second).get('docker-hosted', 'app', 'v1'))?.digest).toBe('sha256:' + 'a'.repeat(64));
    const applied: { n: number }[] = await second.query('SELECT COUNT(*) AS n FROM migrations');
    expect(Number(applied[0]!.n)).toBe(MIGRATIONS.sqlite.length);
    expect(await schema(second)).toEqual(schemaBefore);
  });

  it('does not use WAL for :memory: (SQLite cannot)', async () => {
    const db = await track(openMemoryDatabase());
    expect(String(await pragma(db, 'journal_mode')).toLowerCase()).toBe('memory');
    expect(Number(await pragma(db, 'foreign_keys'))).toBe(1);
  });

  it('gives every :memory: database its own data', async () => {
    const a = await track(openMemoryDatabase());
    const b = await track(openMemoryDatabase());
    await new TypeOrmTagIndex(a).set('r', 'i', 't', 'sha256:' + 'b'.repeat(64));
    expect(await new TypeOrmTagIndex(b).get('r', 'i', 't')).toBeNull();
  });
});

describe('createDataSource', () => {
  it('refuses a URL of another database without printing its password', () => {
    let message = '';
    try {
      createDataSource({ sqlitePath: ':memory:', url: 'mysql://wharf:hunter2@db.example:3306/wharf', migrations: MIGRATIONS });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('not supported');
    expect(message).toContain('mysql://***@db.example:3306/wharf');
    expect(message).not.toContain('hunter2');
  });

  it.each([
    ['postgres://wharf:pw@db:5432/wharf', 'postgres'],
    ['postgresql://db/wharf', 'postgres'],
    ['sqlite:///data/wharf.db', 'better-sqlite3'],
    [undefined, 'better-sqlite3'],
  ])('picks the driver from the URL %s', (url, type) => {
    const ds = createDataSource({ sqlitePath: ':memory:', ...(url ? { url } : {}), migrations: MIGRATIONS });
    expect(ds.options.type).toBe(type);
    expect(ds.options.migrations).toBe(MIGRATIONS[type === 'postgres' ? 'postgres' : 'sqlite']);
  });

  it('accepts a sqlite: URL and never synchronizes the schema', () => {
    const ds = createDataSource({ sqlitePath: ':memory:', url: 'sqlite:///data/wharf.db', migrations: MIGRATIONS });
    expect(ds.options.synchronize).toBe(false);
    expect(ds.options.migrationsRun).toBe(false);
  });
});

describe('openDatabase on PostgreSQL', () => {
  it('lets replicas that start together migrate one at a time (each sees the whole schema once)', async () => {
    const url = await createPostgresDatabase({ empty: true });
    const opened = await Promise.all(Array.from({ length: 3 }, () => openDatabase({ sqlitePath: ':memory:', url, migrations: MIGRATIONS })));
    try {
      const applied: { name: string }[] = await opened[0]!.query('SELECT name FROM migrations ORDER BY id');
      expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.postgres.map((M) => new M().name ?? M.name));
      expect((await pendingSchemaChanges(opened[2]!)).up).toEqual([]);
    } finally {
      for (const db of opened) await db.destroy();
      await dropPostgresDatabase(url);
    }
  });
});
