import { describe, expect, it } from "vitest";
import { canonicalize } from "../../src/encoding/canonical-json";
import { logEntry, logEntryOfCanonical } from "../../src/log/entry";

const receipt = { type: "OptOutReceipt", id: "ISCC:MAIWFR5ZLUM5LUAB", seq: 7, digest: "ab".repeat(32), registered_at: "2026-12-06T18:00:00.000Z", registry: "r.example" };

describe("logEntryOfCanonical", () => {
  // Members out of order, escapes, non-ASCII text and astral characters: the canonical text must
  // be spliced in exactly where RFC 8785 puts it.
  const records = [
    {
      type: "OptOutDeclaration",
      version: 1,
      urls: ["https://bücher.example/ä/*", "https://x.example/\"q\"\\"],
      preferences: { "train-ai": "n", "ai-use": "y" },
      intent: "activate",
      timestamp: "2026-12-06T18:00:00Z",
      nonce: "0".repeat(32),
      note: "tab\there 😀 \u0001",
      signature: { version: "ISCC-SIG v1.0", pubkey: "z6Mk…", proof: "z…" },
    },
    { type: "OptOutMandate", member: "did:web:m.example", agent: "z6Mk", scope: { urls: ["https://m.example/*"] }, intent: "activate" },
    { type: "OptOutObservation", url: "https://o.example/robots.txt", host: "o.example", observed_at: "2026-12-06T18:00:00Z" },
  ];

  for (const record of records) {
    it(`gives the bytes of logEntry for an ${record.type}`, () => {
      expect(logEntryOfCanonical(record, canonicalize(record), receipt)).toEqual(logEntry(record, receipt));
    });
  }

  it("refuses a record type the log has no entry kind for, as logEntry does", () => {
    const record = { type: "Something" };
    expect(() => logEntryOfCanonical(record, canonicalize(record), receipt)).toThrow(/no log entry kind/);
    expect(() => logEntry(record, receipt)).toThrow(/no log entry kind/);
  });
});
