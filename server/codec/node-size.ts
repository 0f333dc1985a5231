/**
 * The size of what an xDS server keeps of a client's Node, read from the
 * request's wire bytes before they are decoded, so that an oversized node is
 * refused before it becomes objects held for the stream's lifetime.
 */

/** Fields of envoy.config.core.v3.Node the server keeps per stream: id, cluster, metadata, user_agent_name, user_agent_version. */
const KEPT_NODE_FIELDS = new Set([1, 2, 3, 6, 7]);

/** The `node` field: 2 in a DiscoveryRequest, 1 in a DeltaDiscoveryRequest. */
export const NODE_FIELD = { sotw: 2, delta: 1 } as const;

/**
 * Encoded bytes of the kept Node fields of a (Delta)DiscoveryRequest, every
 * occurrence counted (protobuf merges repeated singular messages). Stops at
 * malformed bytes, which the decoder then refuses.
 */
export function keptNodeBytes(request: Uint8Array, nodeField: number): number {
  let total = 0;
  for (const node of lengthDelimitedFields(request, nodeField)) {
    for (const kept of lengthDelimitedFields(node, KEPT_NODE_FIELDS)) total += kept.length;
  }
  return total;
}

/** The payloads of the length-delimited fields numbered `wanted`, in order. */
function* lengthDelimitedFields(bytes: Uint8Array, wanted: number | ReadonlySet<number>): Generator<Uint8Array> {
  const matches = typeof wanted === 'number' ? (n: number) => n === wanted : (n: number) => wanted.has(n);
  let at = 0;
  while (at < bytes.length) {
    const tag = readVarint(bytes, at);
    if (!tag) return;
    at = tag.next;
    const field = Math.floor(tag.value / 8);
    switch (tag.value % 8) {
      case 0: {
        const v = readVarint(bytes, at);
        if (!v) return;
        at = v.next;
        break;
      }
      case 1:
        at += 8;
        break;
      case 5:
        at += 4;
        break;
      case 2: {
        const len = readVarint(bytes, at);
        if (!len || len.next + len.value > bytes.length) return;
        if (matches(field)) yield bytes.subarray(len.next, len.next + len.value);
        at = len.next + len.value;
        break;
      }
      default:
        // Groups are not used by the xDS protos.
        return;
    }
  }
}

/** A varint at `at` (exact up to 2^53; longer ones are only skipped), or undefined when truncated. */
function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const b = bytes[i] as number;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return { value, next: i + 1 };
    scale *= 128;
  }
  return undefined;
}
