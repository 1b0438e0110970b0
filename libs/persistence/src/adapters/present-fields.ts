/** `fields` without the ones that hold nothing (null, undefined, ''), typed as optional. */
export type PresentFields<T> = { [K in keyof T]?: NonNullable<T[K]> };

/**
 * The fields that hold a value: a nullable column becomes an optional field of a record, absent rather than
 * null (`{ ...presentFields({ verifiedAt: row.verifiedAt }) }`).
 */
export function presentFields<T extends Record<string, unknown>>(fields: T): PresentFields<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => Boolean(value))) as PresentFields<T>;
}
