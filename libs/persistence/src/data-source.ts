import 'reflect-metadata';
import { DataSource, type MigrationInterface } from 'typeorm';
import { ENTITIES } from './entities';

export interface DatabaseOptions {
  /** SQLite database file (`:memory:` for tests). */
  sqlitePath: string;
  /** `WHARF_DATABASE_URL`; only SQLite is available in this build. */
  url?: string;
  migrations: (new () => MigrationInterface)[];
  logging?: boolean;
}

/** A DataSource over the entities; never `synchronize`: the schema comes from the committed migrations. */
export function createDataSource(options: DatabaseOptions): DataSource {
  if (options.url && !options.url.startsWith('sqlite:')) {
    throw new Error(`WHARF_DATABASE_URL ${redact(options.url)} is not supported yet: this build stores metadata in SQLite only`);
  }
  return new DataSource({
    type: 'better-sqlite3',
    database: options.sqlitePath,
    entities: ENTITIES,
    migrations: options.migrations,
    migrationsRun: false,
    synchronize: false,
    logging: options.logging ?? false,
    enableWAL: options.sqlitePath !== ':memory:',
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      // WAL readers never block the writer; NORMAL sync is durable across process crashes in WAL mode.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
  });
}

/** Opens the database and applies pending migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/** SQL that would bring the database in line with the entities: empty when migrations and entities agree. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<{ up: string[]; down: string[] }> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return { up: log.upQueries.map((q) => q.query), down: log.downQueries.map((q) => q.query) };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
