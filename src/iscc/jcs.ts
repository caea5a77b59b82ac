import { IsccError } from "./errors.js";

/**
 * RFC 8785 JSON Canonicalization: object keys sorted by UTF-16 code units, numbers in ECMAScript
 * shortest form (JSON.stringify already produces it), no whitespace.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new IsccError(`metadata contains a non-finite number ${value}, which JSON cannot represent`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value as object).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const entries = keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  throw new IsccError(`metadata contains a value of type ${typeof value}, which JSON cannot represent`);
}
