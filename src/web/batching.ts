/**
 * Splits signed declarations into batches the registry accepts (POST /v1/declarations/batch: at most
 * 1,000 items and 8 MiB of JSON), keeping their order, so a drop of thousands of files is sent in as
 * few requests as the limits allow.
 */
import { LIMITS } from "../http/limits";

export interface BatchLimits {
  items: number;
  bytes: number;
}

export const REGISTRY_BATCH_LIMITS: BatchLimits = { items: LIMITS.batchDeclarations, bytes: LIMITS.batchBytes };

const encoder = new TextEncoder();

/** Batches of JSON-array bodies within the limits; an item too large for any batch is an error, not a silent drop. */
export function batchDeclarations<T>(items: readonly T[], limits: BatchLimits = REGISTRY_BATCH_LIMITS): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 2; // "[" and "]"
  for (const [i, item] of items.entries()) {
    const size = encoder.encode(JSON.stringify(item)).length;
    if (size + 2 > limits.bytes) throw new RangeError(`item ${i} is ${size} bytes, more than a whole batch may hold (${limits.bytes})`);
    const extra = size + (current.length ? 1 : 0); // the comma
    if (current.length === limits.items || bytes + extra > limits.bytes) {
      batches.push(current);
      current = [];
      bytes = 2;
    }
    bytes += size + (current.length ? 1 : 0);
    current.push(item);
  }
  if (current.length) batches.push(current);
  return batches;
}
