import { canonicalBytes } from "../encoding/canonical-json";

/**
 * A log entry is the canonical (JCS) bytes of the signed declaration together with the receipt its
 * origin registry signed: what was declared, by whom, and when and where it was registered. Anyone
 * holding the two JSON objects can recompute the entry and its leaf hash.
 */
export function logEntry(declaration: unknown, receipt: unknown): Uint8Array {
  return canonicalBytes({ declaration, receipt });
}
