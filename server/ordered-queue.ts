import { compareAdsOrder } from '../cache/ads-order.js';

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
