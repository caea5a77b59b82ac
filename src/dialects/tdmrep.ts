/**
 * W3C TDM Reservation Protocol (TDMRep, Community Group Final Report, 10 May 2024):
 * - §"TDM File on the Origin Server": `/.well-known/tdmrep.json`, a JSON array of rules
 *   `{ "location": pattern, "tdm-reservation": 1|0, "tdm-policy"?: URL }`; a URL takes the first
 *   rule in sequence whose location matches (robots.txt pattern matching, case-sensitive); none
 *   matching leaves the reservation unset;
 * - §"TDM Header Field": `tdm-reservation` and `tdm-policy` response headers;
 * - §"TDM Metadata in HTML": `<meta name="tdm-reservation" content="1">` and `tdm-policy`.
 * `tdm-reservation` is 1 (TDM rights reserved) or 0 (not reserved); any other value is a protocol
 * error and leaves it unset (§"tdm-reservation").
 * §"Processing priority": the header supersedes the file, HTML metadata supersedes both, and a
 * source without `tdm-reservation` resets nothing — TDMRep's own order, applied before its one
 * answer is combined with other dialects.
 *
 * Into the vocabulary: a reservation of TDM rights is the EU DSM art. 4 opt-out from text and data
 * mining as a whole, the -02 `all` category: 1 → every category `n`, 0 → every category `y`.
 */
import { CATEGORIES, unknownPreferences, type ResolvedPreferences } from "../domain/preferences";
import { normalizePercent, patternMatches } from "./robots-txt";

export interface TdmRule {
  location: string;
  /** 1, 0, or null when the value was a protocol error. */
  reservation: 1 | 0 | null;
  policy?: string;
  /** The value as written, when it was a protocol error. */
  invalid?: unknown;
}

export class TdmRepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TdmRepError";
  }
}

/** Reads a `tdm-reservation` value: 1, 0, or null (a protocol error: unset). */
export function readReservation(value: unknown): 1 | 0 | null {
  if (value === 1 || value === 0) return value;
  if (typeof value === "string" && (value.trim() === "1" || value.trim() === "0")) return value.trim() === "1" ? 1 : 0;
  return null;
}

/** Parses tdmrep.json. A file that is not a JSON array of rule objects with a location is refused whole. */
export function parseTdmRepFile(text: string): TdmRule[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TdmRepError(`not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(json)) throw new TdmRepError("tdmrep.json is a JSON array of rules (the brackets are mandatory)");
  return json.map((rule, i) => {
    if (typeof rule !== "object" || rule === null || Array.isArray(rule)) throw new TdmRepError(`rule ${i} is not an object`);
    const r = rule as Record<string, unknown>;
    if (typeof r.location !== "string" || r.location === "") throw new TdmRepError(`rule ${i} has no location`);
    if (!("tdm-reservation" in r)) throw new TdmRepError(`rule ${i} has no tdm-reservation`);
    // In the file the value is a JSON number; a string "1" is a protocol error like any other.
    const raw = r["tdm-reservation"];
    const reservation = raw === 1 || raw === 0 ? raw : null;
    const policy = typeof r["tdm-policy"] === "string" ? (r["tdm-policy"] as string) : undefined;
    return { location: r.location, reservation, ...(policy !== undefined ? { policy } : {}), ...(reservation === null ? { invalid: raw } : {}) };
  });
}

export function serializeTdmRepFile(rules: TdmRule[]): string {
  const out = rules.map((r) => ({ location: r.location, "tdm-reservation": r.reservation ?? r.invalid, ...(r.policy !== undefined ? { "tdm-policy": r.policy } : {}) }));
  return JSON.stringify(out, null, 2) + "\n";
}

/** The first rule (in sequence) whose location matches the URL's path, or null. */
export function tdmRuleFor(rules: TdmRule[], url: URL): TdmRule | null {
  const target = normalizePercent(url.pathname + url.search);
  return rules.find((r) => patternMatches(normalizePercent(r.location), target)) ?? null;
}

/** A reservation as preferences: 1 reserves every category, 0 allows every category. */
export function reservationPreferences(reservation: 1 | 0 | null): ResolvedPreferences {
  const p = unknownPreferences();
  if (reservation === null) return p;
  for (const c of CATEGORIES) p[c] = reservation === 1 ? "n" : "y";
  return p;
}

/**
 * The reservation to publish for `preferences`: TDMRep reserves text and data mining as a whole,
 * so any reserved AI training (`train-ai=n`) is published as 1; 0 only when every category is
 * allowed; otherwise nothing (no rule).
 */
export function reservationFor(preferences: ResolvedPreferences): 1 | 0 | null {
  if (preferences["train-ai"] === "n") return 1;
  return CATEGORIES.every((c) => preferences[c] === "y") ? 0 : null;
}
