import { createRequire } from 'node:module';
import type { DataSourceOptions } from 'typeorm';

const TIMESTAMP = 1114; // timestamp without time zone
const INT8 = 20;

/**
 * PostgreSQL connection options. Two conventions make a PostgreSQL database behave as the SQLite one
 * does, whatever the time zone of the machines that share it:
 * - timestamps are stored as UTC wall-clock time (`timestamp` columns, the entities' `Date` type):
 *   sessions run in UTC, dates are sent in UTC and `timestamp` values are read as UTC;
 * - `bigint` values (blob sizes, counts) are read as JavaScript numbers (exact below 2^53 bytes).
 */
export function postgresOptions(url: string): DataSourceOptions {
  // Loaded here, not at start-up: a server on SQLite never needs the driver (TypeORM loads it the same way).
  const pg = createRequire(__filename)('pg') as typeof import('pg');
  // The pg module has no per-connection form of this switch; Wharf is its only user in the process.
  pg.defaults.parseInputDatesAsUTC = true;
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
      if (oid === TIMESTAMP) return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
      if (oid === INT8) return (value: string) => Number(value);
      return pg.types.getTypeParser(oid, format);
    },
  };
  return {
    type: 'postgres',
    url,
    extra: { options: '-c TimeZone=UTC', types, max: 10 },
  };
}
