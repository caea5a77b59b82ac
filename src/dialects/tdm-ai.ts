/**
 * Liccium's TDM·AI declarations (docs.tdmai.org, "JSON Schema Definition", 2025-07-21): a JSON
 * object bound to an ISCC, `{ "version": "1.0", "iscc", "intent", "all"?, "train-ai"?,
 * "train-genai"?, "ai-use"?, "search"?, "reference"?, "summary"?, "policy"? }`, each usage key the
 * string "true" (allowed) or "false" (disallowed), no other members. The usage keys are those of
 * draft-ietf-aipref-vocab-02, which is this registry's vocabulary 1: a TDM·AI declaration is read
 * as vocabulary-1 preferences ("false" → n, "true" → y) and answered through the same mapping as
 * every vocabulary-1 declaration (src/domain/preferences.ts).
 *
 * The TDMRep binding of the same protocol ("JSON Format for TDMrep Declarations", 2025-11-04),
 * `{ "iscc", "tdm-reservation": 1|0, "tdm-policy"? }`, is read too, as TDMRep (tdmrep.ts).
 */
import { toCurrent, V1_KEYS, type ResolvedPreferences, type StatedPreferences } from "../domain/preferences";
import { reservationPreferences } from "./tdmrep";

export type TdmAiDeclaration =
  | {
      form: "aipref";
      iscc: string;
      intent: "activate" | "update" | "supersede";
      /** Vocabulary-1 preferences, as y/n. */
      preferences: StatedPreferences;
      reference?: string;
      summary?: string;
      policy?: string;
    }
  | { form: "tdmrep"; iscc: string; reservation: 1 | 0; policy?: string };

export class TdmAiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TdmAiError";
  }
}

const OPTIONAL_TEXT = ["reference", "summary", "policy"] as const;

export function parseTdmAi(text: string): TdmAiDeclaration {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TdmAiError(`not JSON: ${(e as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new TdmAiError("a TDM·AI declaration is a JSON object");
  const o = json as Record<string, unknown>;
  if (typeof o.iscc !== "string" || !o.iscc.startsWith("ISCC:")) throw new TdmAiError("iscc is required: an ISCC code (ISCC:…)");
  if ("tdm-reservation" in o) {
    for (const k of Object.keys(o)) if (!["iscc", "tdm-reservation", "tdm-policy"].includes(k)) throw new TdmAiError(`unknown member '${k}'`);
    const r = o["tdm-reservation"];
    if (r !== 1 && r !== 0) throw new TdmAiError("tdm-reservation is 1 or 0");
    if (o["tdm-policy"] !== undefined && typeof o["tdm-policy"] !== "string") throw new TdmAiError("tdm-policy is a URI");
    return { form: "tdmrep", iscc: o.iscc, reservation: r, ...(typeof o["tdm-policy"] === "string" ? { policy: o["tdm-policy"] } : {}) };
  }
  const known = new Set<string>(["version", "iscc", "intent", ...V1_KEYS, ...OPTIONAL_TEXT]);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new TdmAiError(`unknown member '${k}' (the schema allows no others)`);
  if (o.version !== "1.0") throw new TdmAiError('version is "1.0"');
  if (o.intent !== "activate" && o.intent !== "update" && o.intent !== "supersede") throw new TdmAiError("intent is activate, update or supersede");
  const preferences: Record<string, "y" | "n"> = {};
  for (const k of V1_KEYS) {
    if (o[k] === undefined) continue;
    if (o[k] !== "true" && o[k] !== "false") throw new TdmAiError(`${k} is the string "true" or "false"`);
    preferences[k] = o[k] === "true" ? "y" : "n";
  }
  const out: TdmAiDeclaration = { form: "aipref", iscc: o.iscc, intent: o.intent, preferences };
  for (const k of OPTIONAL_TEXT) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== "string") throw new TdmAiError(`${k} is a string`);
    out[k] = o[k] as string;
  }
  return out;
}

export function serializeTdmAi(d: TdmAiDeclaration): string {
  if (d.form === "tdmrep") return JSON.stringify({ iscc: d.iscc, "tdm-reservation": d.reservation, ...(d.policy !== undefined ? { "tdm-policy": d.policy } : {}) }, null, 2) + "\n";
  const usage = Object.fromEntries(V1_KEYS.filter((k) => d.preferences[k] !== undefined).map((k) => [k, d.preferences[k] === "y" ? "true" : "false"]));
  const extra = Object.fromEntries(OPTIONAL_TEXT.filter((k) => d[k] !== undefined).map((k) => [k, d[k]]));
  return JSON.stringify({ version: "1.0", iscc: d.iscc, intent: d.intent, ...usage, ...extra }, null, 2) + "\n";
}

export function tdmAiPreferences(d: TdmAiDeclaration): ResolvedPreferences {
  return d.form === "tdmrep" ? reservationPreferences(d.reservation) : toCurrent(1, d.preferences);
}
