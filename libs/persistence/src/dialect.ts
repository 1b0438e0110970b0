import type { DataSource } from 'typeorm';
import { dialectOfDataSource } from './data-source';

/**
 * A column expression that compares and sorts by bytes. SQLite's default BINARY collation already
 * does; a PostgreSQL database sorts by its locale (where "B" < "a" may not hold) unless told "C".
 */
export function byteOrder(db: DataSource, column: string): string {
  return dialectOfDataSource(db) === 'postgres' ? `${column} COLLATE "C"` : column;
}
