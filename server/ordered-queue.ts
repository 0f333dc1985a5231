import { ADS_ORDER } from '../cache/types.js';

/**
 * A stream's send queue: at most one pending item per type URL, taken in
 * ADS order (CDS, EDS, LDS, RDS, then SDS and the rest; unlisted types after
 * the listed ones, by type URL). A newer item for a type replaces the queued
 * one, which was computed against the same client state and is superseded.
 * Used for every stream; with a single type it degenerates to one slot.
 */
export interface OrderedQueue<T> {
  /** Queues `item` for `typeUrl`, replacing any item queued for it. */
  put(typeUrl: string, item: T, size: number): void;
  /** Removes and returns the first item in ADS order. */
  take(): { typeUrl: string; item: T } | undefined;
  /** Drops the item queued for `typeUrl`, if any. */
  drop(typeUrl: string): void;
  readonly length: number;
  /** Sum of the `size` of the queued items. */
  readonly bytes: number;
}

const RANK = new Map(ADS_ORDER.map((t, i) => [t, i]));

/** Orders type URLs for ADS: listed types by rank, then the rest by name. */
export function compareAdsOrder(a: string, b: string): number {
  const ra = RANK.get(a) ?? ADS_ORDER.length;
  const rb = RANK.get(b) ?? ADS_ORDER.length;
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function createOrderedQueue<T>(): OrderedQueue<T> {
  const slots = new Map<string, { item: T; size: number }>();
  let bytes = 0;
  return {
    put(typeUrl, item, size) {
      const old = slots.get(typeUrl);
      if (old) bytes -= old.size;
      slots.set(typeUrl, { item, size });
      bytes += size;
    },
    take() {
      let first: string | undefined;
      for (const t of slots.keys()) if (first === undefined || compareAdsOrder(t, first) < 0) first = t;
      if (first === undefined) return undefined;
      const slot = slots.get(first);
      slots.delete(first);
      if (!slot) return undefined;
      bytes -= slot.size;
      return { typeUrl: first, item: slot.item };
    },
    drop(typeUrl) {
      const old = slots.get(typeUrl);
      if (!old) return;
      bytes -= old.size;
      slots.delete(typeUrl);
    },
    get length() {
      return slots.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
