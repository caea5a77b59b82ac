/**
 * The body of POST /v1/lookup: its schema (validation of every refused body, and /openapi.json)
 * and the same acceptance decided in one plain pass for the bodies it accepts.
 *
 * Why both: zod checks an array item by item through several calls each, which a fresh isolate
 * runs unoptimized on its first batch (measured: ~4–5 ms of a first 1,000-URL request's CPU, against
 * ~0.2 ms warm). acceptedLookupBatch says yes only to a body the schema accepts with the same
 * content (a JSON object of `urls` and/or `identifiers`, arrays within their limits of strings within
 * theirs, at least one item); anything else goes to the schema, which gives the problem and its
 * JSON pointers as before. test/unit/lookup-batch-body.test.ts holds the two to each other.
 */
import { z } from "zod";
import { IDENTIFIER_MAX_LENGTH } from "../domain/work-identifier";
import { LIMITS } from "../http/limits";

/** The longest identifier token taken: an identifier plus its kind prefix ("isbn:"). */
const IDENTIFIER_TOKEN_LENGTH = IDENTIFIER_MAX_LENGTH + 5;

export const LookupBatchSchema = z
  .strictObject({
    urls: z.array(z.string().max(LIMITS.urlLength)).max(LIMITS.lookupUrls).optional(),
    identifiers: z
      .array(z.string().max(IDENTIFIER_TOKEN_LENGTH))
      .max(LIMITS.lookupIdentifiers)
      .optional()
      .describe("Work identifiers as kind:value in any usual spelling, e.g. isrc:US-RC1-76-07839, isbn:0-306-40615-2, doi:10.1000/182"),
  })
  .refine((b) => (b.urls?.length ?? 0) + (b.identifiers?.length ?? 0) > 0, { message: "give at least one URL in urls or one identifier in identifiers" })
  .meta({ id: "LookupBatchRequest" });

export type LookupBatch = z.infer<typeof LookupBatchSchema>;

/** The number of items if `list` is an array of at most `max` strings of at most `length` characters each, else -1. */
function stringsWithin(list: unknown, max: number, length: number): number {
  if (!Array.isArray(list) || list.length > max) return -1;
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    if (typeof item !== "string" || item.length > length) return -1;
  }
  return list.length;
}

/** `value` as the schema would give it, when the schema certainly accepts it; null: ask the schema. */
export function acceptedLookupBatch(value: unknown): LookupBatch | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  let items = 0;
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    const n =
      key === "urls" ? stringsWithin(field, LIMITS.lookupUrls, LIMITS.urlLength) : key === "identifiers" ? stringsWithin(field, LIMITS.lookupIdentifiers, IDENTIFIER_TOKEN_LENGTH) : -1;
    if (n < 0) return null;
    items += n;
  }
  return items > 0 ? (value as LookupBatch) : null;
}
