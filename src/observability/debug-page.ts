import { LIMIT_DEFAULTS } from '../shared/limits.js';

/** One page of a debug list: where it starts, how many it may hold, how many there are, and the URL of the next page (null on the last). */
export interface DebugPage<T> {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly next: string | null;
  readonly items: T[];
}

/**
 * The page of `items` that `?offset=` and `?limit=` of `url` ask for (limit
 * 100 by default, at most 1,000): debug views list every proxy or node,
 * and one answer for all of them can grow past what a string may hold.
 * Values that are not whole numbers fall back to the defaults.
 */
export function debugPage<T>(url: URL, items: readonly T[]): DebugPage<T> {
  const number = (name: string) => {
    const text = url.searchParams.get(name);
    return text !== null && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
  };
  const limit = Math.min(Math.max(number('limit') ?? LIMIT_DEFAULTS.debugPageSize, 1), LIMIT_DEFAULTS.debugMaxPageSize);
  const offset = number('offset') ?? 0;
  const end = offset + limit;
  return { total: items.length, offset, limit, next: end < items.length ? `${url.pathname}?offset=${end}&limit=${limit}` : null, items: items.slice(offset, end) };
}
