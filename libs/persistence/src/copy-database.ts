import type { DataSource, EntityMetadata, ObjectLiteral } from 'typeorm';
import { dialectOfDataSource } from './data-source';

/** Rows read and written at a time: memory stays bounded whatever the size of a table. */
const BATCH = 500;

export interface CopyDatabaseOptions {
  /** Tables left out (their rows make no sense in the target, e.g. upload sessions of files left behind). */
  skipTables?: string[];
  /** Told of each table as it is copied. */
  onTable?: (table: string, rows: number) => void;
}

/**
 * Copies every row of every Wharf table from one database to another (SQLite into PostgreSQL), both migrated
 * to the same schema by openDatabase, in one transaction on the target: a failure leaves it empty. The target
 * must hold no rows (a fresh database): nothing is merged. Rows go through the entities, so values come out
 * as each dialect stores them (dates, booleans, JSON, 64-bit sizes). Returns the rows copied per table.
 */
export async function copyDatabase(source: DataSource, target: DataSource, options: CopyDatabaseOptions = {}): Promise<Record<string, number>> {
  const skip = new Set(options.skipTables ?? []);
  const counts: Record<string, number> = {};
  await target.transaction(async (tx) => {
    for (const meta of target.entityMetadatas) {
      const rows = tx.getRepository<ObjectLiteral>(meta.target);
      const present = await rows.count();
      if (present > 0) throw new Error(`the target database is not empty (table ${meta.tableName} has ${present} rows): migrate into a new, empty database`);
      if (skip.has(meta.tableName)) continue;
      const from = source.getRepository<ObjectLiteral>(meta.target);
      const order = Object.fromEntries(meta.primaryColumns.map((c) => [c.propertyName, 'ASC' as const]));
      let copied = 0;
      for (;;) {
        const batch = await from.find({ order, skip: copied, take: BATCH });
        if (batch.length === 0) break;
        await rows.insert(batch);
        copied += batch.length;
      }
      counts[meta.tableName] = copied;
      options.onTable?.(meta.tableName, copied);
      if (dialectOfDataSource(target) === 'postgres') await continueSequences(tx.query.bind(tx), meta);
    }
  });
  return counts;
}

/** Generated ids carry on after the copied ones (the rows were inserted with their ids). */
async function continueSequences(query: (sql: string, params?: unknown[]) => Promise<unknown>, meta: EntityMetadata): Promise<void> {
  for (const column of meta.primaryColumns.filter((c) => c.isGenerated && c.generationStrategy === 'increment')) {
    await query(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX("${column.databaseName}") FROM "${meta.tableName}"), 0) + 1, false)`, [
      `"${meta.tableName}"`,
      column.databaseName,
    ]);
  }
}
