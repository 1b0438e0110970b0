/**
 * A PostgreSQL database of its own for each test, on the run's one server (global-setup.ts). New
 * databases are copies of a template that already has the committed PostgreSQL migrations applied,
 * made once per run (under an advisory lock, whichever test worker comes first), so a test's
 * database costs a file copy, not a schema build.
 */
import { createHash, randomUUID } from 'node:crypto';
import { MIGRATIONS } from '@wharf/migrations';
import { openDatabase } from '@wharf/persistence';
import pg from 'pg';
import { inject } from 'vitest';

const TEMPLATE_LOCK = 7_135_001;

/** The run's PostgreSQL server URL (no database); fails clearly when the run has none. */
export function postgresServerUrl(): string {
  const url = inject('postgresUrl');
  if (!url) throw new Error('this run has no PostgreSQL (WHARF_TEST_SERVICES=none, or the project lacks test/services/global-setup.ts)');
  return url;
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: `${postgresServerUrl()}/postgres` });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

async function ensureTemplate(admin: pg.Client): Promise<string> {
  const version = createHash('sha256').update(MIGRATIONS.postgres.map((M) => M.name).join(',')).digest('hex').slice(0, 16);
  const template = `wharf_template_${version}`;
  await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (found.rowCount === 0) {
      // A locale that does not sort by bytes (as most production databases): "a" < "B" here, and the
      // adapters must still page tags and images in the byte order the distribution spec asks for.
      await admin.query(`CREATE DATABASE "${template}" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
      const db = await openDatabase({ sqlitePath: ':memory:', url: `${postgresServerUrl()}/${template}`, migrations: MIGRATIONS });
      await db.destroy();
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
  }
  return template;
}

/** A new database with the current schema (or with nothing, `empty`); returns its URL. */
export function createPostgresDatabase({ empty = false } = {}): Promise<string> {
  return withAdmin(async (admin) => {
    const name = `test_${randomUUID().replace(/-/g, '')}`;
    if (empty) await admin.query(`CREATE DATABASE "${name}"`);
    else await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${await ensureTemplate(admin)}" STRATEGY WAL_LOG`);
    return `${postgresServerUrl()}/${name}`;
  });
}

/** Drops a database made by createPostgresDatabase, disconnecting whoever still uses it. */
export function dropPostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^test_[0-9a-f]{32}$/.test(name)) throw new Error(`not a test database: ${name}`);
  return withAdmin(async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}
