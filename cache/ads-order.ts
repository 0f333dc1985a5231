import { ADS_ORDER } from './types.js';

const RANK = new Map(ADS_ORDER.map((t, i) => [t, i]));

/**
 * Compares type URLs in ADS send order: ADS_ORDER first (CDS, EDS, LDS, RDS,
 * …), then any other type by type URL. Sending in this order keeps Envoy
 * from warming clusters or listeners against config it has not received yet.
 */
export function compareAdsOrder(a: string, b: string): number {
  const ra = RANK.get(a) ?? ADS_ORDER.length;
  const rb = RANK.get(b) ?? ADS_ORDER.length;
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Stable order of `items` by the ADS rank of their type URL. Buckets by type
 * so the cost is linear in the number of items plus a sort of the (few)
 * distinct types.
 */
export function orderByAds<T>(items: Iterable<T>, typeOf: (item: T) => string): T[] {
  const buckets = new Map<string, T[]>();
  for (const item of items) {
    const t = typeOf(item);
    let bucket = buckets.get(t);
    if (!bucket) buckets.set(t, (bucket = []));
    bucket.push(item);
  }
  const out: T[] = [];
  for (const t of [...buckets.keys()].sort(compareAdsOrder)) {
    for (const item of buckets.get(t) ?? []) out.push(item);
  }
  return out;
}
