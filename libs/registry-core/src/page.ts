/** Cursor pagination as the distribution spec defines it: `n` items after `last`, lexically ordered. */
export interface PageRequest {
  n?: number;
  last?: string;
}

export interface Page<T> {
  items: T[];
  /** The cursor to ask for the next page with, when there is one. */
  next?: string;
}

export const MAX_PAGE_SIZE = 1000;

export function pageSize(request: PageRequest | undefined): number {
  const n = request?.n;
  if (n === undefined || !Number.isFinite(n) || n <= 0) return MAX_PAGE_SIZE;
  return Math.min(Math.floor(n), MAX_PAGE_SIZE);
}

/** Cuts `limit + 1` fetched rows down to a page, telling whether there is more. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (item: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: cursorOf(items[items.length - 1]!) };
}
