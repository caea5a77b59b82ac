import { canonicalBytes, canonicalize } from "../encoding/canonical-json";

/**
 * The member a log entry names its record by, for each record type the log holds. Entries are
 * self-describing: `{ "declaration": …, "receipt": … }` for a declaration (the signed declaration
 * and the receipt its origin registry signed), `{ "observation": …, "receipt": … }` for a
 * notarized observation (what this registry fetched from an origin, signed by it), `{ "mandate":
 * …, "receipt": … }` for a mandate (README, Mandates). A new kind of
 * record is one more line here; a record of any other type is a bug, not an entry.
 */
const ENTRY_MEMBER: Record<string, string> = {
  OptOutDeclaration: "declaration",
  OptOutObservation: "observation",
  OptOutMandate: "mandate",
};

/**
 * A log entry: the canonical (JCS) bytes of a signed record together with its receipt: what was
 * stated, by whom, and when and where it was registered. Anyone holding the two JSON objects can
 * recompute the entry and its leaf hash.
 */
export function logEntry(record: unknown, receipt: unknown): Uint8Array {
  return canonicalBytes({ [entryMember(record)]: record, receipt });
}

/**
 * The same bytes as logEntry(record, receipt), from the record's canonical text, which the write
 * path already has (it is what the digest covers): RFC 8785 writes an object as its members'
 * canonical texts in key order, and every record member sorts before "receipt", so the record is not
 * serialized again. Serializing it again was about a tenth of a registration's CPU in the sequencer.
 */
export function logEntryOfCanonical(record: { type: string }, canonicalRecord: string, receipt: unknown): Uint8Array {
  return encoder.encode(`{"${entryMember(record)}":${canonicalRecord},"receipt":${canonicalize(receipt)}}`);
}

const encoder = new TextEncoder();

function entryMember(record: unknown): string {
  const type = (record as { type?: unknown } | null)?.type;
  const member = typeof type === "string" ? ENTRY_MEMBER[type] : undefined;
  if (!member) throw new Error(`no log entry kind for a record of type ${JSON.stringify(type)}`);
  return member;
}
