import 'reflect-metadata';
import { DataSource, type DataSourceOptions, type Logger, type MigrationInterface } from 'typeorm';
import { ENTITIES } from './entities';
import { postgresOptions } from './postgres';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  /** SQLite database file (`:memory:` for tests); used when `url` is not a PostgreSQL URL. */
  sqlitePath: string;
  /** `WHARF_DATABASE_URL`: `postgres://` / `postgresql://` for PostgreSQL, `sqlite:` (or unset) for the SQLite file. */
  url?: string;
  /** The committed schema history of each dialect (`MIGRATIONS` of @wharf/migrations). */
  migrations: Record<Dialect, (new () => MigrationInterface)[]>;
  logging?: boolean;
  /** Where logged SQL goes (with `logging`): the server's logger, so JSON logs stay JSON. Default: TypeORM's console output. */
  sqlLog?: (line: string) => void;
}

/** Which database a `WHARF_DATABASE_URL` names; an unknown scheme is refused without echoing a password. */
export function dialectOf(url: string | undefined): Dialect {
  if (!url || url.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  throw new Error(`WHARF_DATABASE_URL ${redactUrl(url)} is not supported: use postgres://user:password@host:port/database, or leave it unset for SQLite`);
}

/** SQLite's page cache per connection, in KiB (see createDataSource). */
const SQLITE_CACHE_KIB = 4096;

/** A DataSource over the entities; never `synchronize`: the schema comes from the committed migrations. */
export function createDataSource(options: DatabaseOptions): DataSource {
  const dialect = dialectOf(options.url);
  const common = {
    entities: ENTITIES,
    migrations: options.migrations[dialect],
    migrationsRun: false,
    synchronize: false,
    logging: options.logging ?? false,
    ...(options.sqlLog ? { logger: sqlLogger(options.sqlLog) } : {}),
  } as const;
  const specific: DataSourceOptions =
    dialect === 'postgres'
      ? postgresOptions(options.url!)
      : {
          type: 'better-sqlite3',
          database: options.sqlitePath,
          enableWAL: options.sqlitePath !== ':memory:',
          prepareDatabase: (db: { pragma(s: string): unknown }) => {
            // WAL readers never block the writer; NORMAL sync is durable across process crashes in WAL mode.
            db.pragma('synchronous = NORMAL');
            db.pragma('busy_timeout = 5000');
            db.pragma('foreign_keys = ON');
            // better-sqlite3 builds SQLite with a 16 MiB page cache per connection; Wharf's metadata is small and
            // its hot lookups are cached above the database, so 4 MiB (the kernel caches the file as well).
            db.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
            // Deleted rows (password and token hashes, replaced secrets) are zeroed where that costs no extra
            // I/O, instead of lingering in free space of the file.
            db.pragma('secure_delete = FAST');
          },
        };
  return new DataSource({ ...specific, ...common } as DataSourceOptions);
}

/** TypeORM's Logger interface over one line-writing function. */
function sqlLogger(write: (line: string) => void): Logger {
  return {
    logQuery: (query) => write(query),
    logQueryError: (error, query) => write(`failed (${error instanceof Error ? error.message : error}): ${query}`),
    logQuerySlow: (time, query) => write(`slow (${time} ms): ${query}`),
    logSchemaBuild: (message) => write(message),
    logMigration: (message) => write(message),
    log: (_level, message) => write(String(message)),
  };
}

/** Opens the database and applies pending migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  try {
    await migrateAlone(dataSource);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  return dataSource;
}

/** Any number (PostgreSQL advisory locks are named by one): "wharf migrations". */
const MIGRATION_LOCK = 0x77686172;

/**
 * Applies pending migrations. On PostgreSQL, replicas starting together take turns (a session
 * advisory lock): the first migrates, the others then find nothing left to do.
 */
async function migrateAlone(dataSource: DataSource): Promise<void> {
  if (dialectOfDataSource(dataSource) !== 'postgres') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
}

/** The dialect of an open data source. */
export function dialectOfDataSource(db: DataSource): Dialect {
  return db.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

/** SQL that would bring the database in line with the entities: empty when migrations and entities agree. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<{ up: string[]; down: string[] }> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return { up: log.upQueries.map((q) => q.query), down: log.downQueries.map((q) => q.query) };
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
