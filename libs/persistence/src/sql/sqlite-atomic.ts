import type { DataSource } from 'typeorm';

/** The few better-sqlite3 calls the atomic sections use (typed here so persistence needs no driver types). */
interface Statement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  run(...params: unknown[]): { changes: number };
}
interface Connection {
  prepare(sql: string): Statement;
  transaction<T>(fn: () => T): { immediate(): T };
}

/** Synchronous statements inside one atomic section. Dates and booleans are stored as TypeORM stores them. */
export interface SyncSql {
  all<R>(sql: string, ...params: unknown[]): R[];
  get<R>(sql: string, ...params: unknown[]): R | undefined;
  /** Runs a write; returns the number of rows it changed. */
  run(sql: string, ...params: unknown[]): number;
}

/**
 * Runs a group of statements as one SQLite transaction that nothing else in the process can interleave
 * with. TypeORM shares ONE better-sqlite3 connection between every caller and keeps a transaction open
 * across awaits, so statements of other requests run inside it (and roll back with it). A section here
 * waits until no TypeORM transaction is open, then runs synchronously (`BEGIN IMMEDIATE` ... `COMMIT`
 * in one turn of the event loop): atomic within the process, and against other processes through
 * SQLite's write lock. The decisions garbage collection depends on are made this way.
 */
export class SqliteAtomic {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: DataSource) {
    if (db.options.type !== 'better-sqlite3') {
      throw new Error(`atomic sections are implemented for SQLite only, not ${db.options.type}`);
    }
  }

  async run<T>(work: (sql: SyncSql) => T): Promise<T> {
    await this.whenNoTransactionIsOpen();
    const connection = this.connection();
    return connection.transaction(() => work(this.sql)).immediate();
  }

  /** One read, outside any transaction of others (a snapshot of committed data). */
  async read<T>(work: (sql: SyncSql) => T): Promise<T> {
    await this.whenNoTransactionIsOpen();
    return work(this.sql);
  }

  private readonly sql: SyncSql = {
    all: <R>(sql: string, ...params: unknown[]) => this.statement(sql).all(...params.map(toSqlite)) as R[],
    get: <R>(sql: string, ...params: unknown[]) => this.statement(sql).get(...params.map(toSqlite)) as R | undefined,
    run: (sql: string, ...params: unknown[]) => this.statement(sql).run(...params.map(toSqlite)).changes,
  };

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.connection().prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private connection(): Connection {
    return (this.db.driver as unknown as { databaseConnection: Connection }).databaseConnection;
  }

  private async whenNoTransactionIsOpen(): Promise<void> {
    const runner = (this.db.driver as unknown as { queryRunner?: { isTransactionActive: boolean } }).queryRunner;
    while (runner?.isTransactionActive) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A Date as TypeORM writes `datetime` columns on SQLite: UTC, `YYYY-MM-DD HH:MM:SS.SSS` (so text order is time order). */
export function sqliteTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** Reads a `datetime` column written by TypeORM or {@link sqliteTime}. */
export function fromSqliteTime(value: string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  return new Date(`${value.replace(' ', 'T')}Z`);
}

function toSqlite(value: unknown): unknown {
  if (value instanceof Date) return sqliteTime(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}
