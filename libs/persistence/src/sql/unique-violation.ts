import { QueryFailedError } from 'typeorm';

/**
 * A unique constraint on `column` refused the write. SQLite names the column in its message
 * ("UNIQUE constraint failed: repositories.httpPort"); PostgreSQL answers SQLSTATE 23505 and names it
 * in the detail ('Key ("httpPort")=(8082) already exists.').
 */
export function isUniqueViolationOf(err: unknown, column: string): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driverError = (err as QueryFailedError & { driverError?: { code?: string; detail?: string } }).driverError;
  if (driverError?.code === '23505') return (driverError.detail ?? '').includes(`"${column}"`);
  return /UNIQUE/i.test(err.message) && err.message.includes(column);
}
