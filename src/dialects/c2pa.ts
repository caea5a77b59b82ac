/**
 * The training-and-data-mining assertion of a C2PA manifest: `cawg.training-mining` (CAWG
 * Training and Data Mining Assertion 1.1, DIF ratified 16 May 2025, §3) and its predecessor
 * `c2pa.training-mining` (C2PA 1.x), a CBOR map `{ "entries": { label: { "use", "constraint_info"? } } }`
 * with `use` one of `allowed`, `notAllowed`, `constrained`; "in the absence of additional
 * information, constrained shall be treated as equivalent to notAllowed" (§3.1).
 *
 * Reading: the manifest store (a JUMBF superbox labelled `c2pa`) → its active manifest (the last
 * one, as the C2PA specification defines the active manifest) → its assertion store (`c2pa.assertions`) → the assertion boxes
 * labelled `cawg.training-mining` or `c2pa.training-mining` (a `__N` suffix marks further
 * instances) → their `cbor` content box. What this does not do: verify the claim signature, the
 * claim's hashes of the assertions, or the binding to the asset. The assertion is read as what the
 * file says about itself, like any embedded metadata, not as proof of who said it.
 *
 * Into the vocabulary (the entries' definitions, §3.1):
 *   cawg.ai_generative_training ("training data to an AI/ML model that could generate assets") → train-ai
 *   cawg.ai_inference ("input to a trained AI/ML model for the purposes of inferring a result") → draft-ai-use
 *   cawg.data_mining ("extracted … for purposes of determining patterns, trends, and correlations",
 *     the EU DSM definition of text and data mining) → every category it is not more specifically
 *     stated for, like the -02 `all`
 *   cawg.ai_training (non-generative models only) → no current category; reported
 * The `c2pa.`-prefixed entries of the C2PA 1.x assertion are read the same way.
 */
import { CborError, decodeCbor, encodeCbor, type CborValue } from "../encoding/cbor";
import { unknownPreferences, type Category, type Outcome, type ResolvedPreferences } from "../domain/preferences";
import { isSuperbox, JumbfError, parseSuperbox, readBoxes, writeSuperbox, type Superbox } from "./jumbf";

export type TrainingMiningUse = "allowed" | "notAllowed" | "constrained";
export interface TrainingMiningEntry {
  use: TrainingMiningUse;
  constraint_info?: string;
}
export interface TrainingMiningAssertion {
  label: string;
  entries: Record<string, TrainingMiningEntry>;
}

export class C2paError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "C2paError";
  }
}

const ASSERTION_LABEL = /^(cawg|c2pa)\.training-mining(__\d+)?$/;
const UUID = {
  store: "6332706100110010800000aa00389b71",
  manifest: "63326d6100110010800000aa00389b71",
  assertions: "6332617300110010800000aa00389b71",
  cbor: "63626f7200110010800000aa00389b71",
};

/** Validates one decoded assertion body. */
export function readTrainingMining(label: string, body: CborValue): TrainingMiningAssertion {
  if (typeof body !== "object" || body === null || body instanceof Map || body instanceof Uint8Array || Array.isArray(body)) throw new C2paError(`${label} is not a CBOR map`);
  const entries = (body as Record<string, CborValue>).entries;
  if (typeof entries !== "object" || entries === null || entries instanceof Map || entries instanceof Uint8Array || Array.isArray(entries)) throw new C2paError(`${label} has no entries map`);
  const out: Record<string, TrainingMiningEntry> = {};
  for (const [key, entry] of Object.entries(entries as Record<string, CborValue>)) {
    const e = entry as Record<string, CborValue> | null;
    if (typeof e !== "object" || e === null || e instanceof Map || e instanceof Uint8Array || Array.isArray(e)) throw new C2paError(`entry ${key} is not a map`);
    if (e.use !== "allowed" && e.use !== "notAllowed" && e.use !== "constrained") throw new C2paError(`entry ${key}: use is allowed, notAllowed or constrained`);
    out[key] = { use: e.use, ...(typeof e.constraint_info === "string" ? { constraint_info: e.constraint_info } : {}) };
  }
  return { label, entries: out };
}

/** Every training-and-data-mining assertion of the active manifest in a manifest store (a `jumb` box's bytes). */
export function trainingMiningAssertions(manifestStore: Uint8Array): TrainingMiningAssertion[] {
  let store: Superbox;
  try {
    const [top] = readBoxes(manifestStore);
    if (!top || top.type !== "jumb") throw new C2paError("not a JUMBF superbox");
    store = parseSuperbox(top.content);
  } catch (e) {
    if (e instanceof JumbfError) throw new C2paError(`malformed JUMBF: ${e.message}`);
    throw e;
  }
  if (store.label !== "c2pa") throw new C2paError(`the manifest store is labelled ${JSON.stringify(store.label)}, not "c2pa"`);
  const manifests = store.children.filter(isSuperbox);
  const active = manifests[manifests.length - 1];
  if (!active) throw new C2paError("the manifest store holds no manifest");
  const assertionStore = active.children.find((c): c is Superbox => isSuperbox(c) && c.label === "c2pa.assertions");
  if (!assertionStore) return [];
  const out: TrainingMiningAssertion[] = [];
  for (const a of assertionStore.children) {
    if (!isSuperbox(a) || !a.label || !ASSERTION_LABEL.test(a.label)) continue;
    const content = a.children.find((c) => !isSuperbox(c) && c.type === "cbor");
    if (!content || isSuperbox(content)) throw new C2paError(`${a.label} has no cbor content box`);
    let body: CborValue;
    try {
      body = decodeCbor(content.content);
    } catch (e) {
      if (e instanceof CborError) throw new C2paError(`${a.label}: ${e.message}`);
      throw e;
    }
    out.push(readTrainingMining(a.label.replace(/__\d+$/, ""), body));
  }
  return out;
}

const outcome = (e: TrainingMiningEntry | undefined): Outcome => (e === undefined ? "unknown" : e.use === "allowed" ? "y" : "n");

export function trainingMiningPreferences(a: TrainingMiningAssertion): ResolvedPreferences {
  const prefix = a.label.startsWith("c2pa.") ? "c2pa." : "cawg.";
  const entry = (name: string) => a.entries[prefix + name];
  const mining = outcome(entry("data_mining"));
  const p = unknownPreferences();
  const specific: Record<Category, Outcome> = {
    "train-ai": outcome(entry("ai_generative_training")),
    "draft-ai-use": outcome(entry("ai_inference")),
    search: "unknown",
  };
  for (const c of Object.keys(specific) as Category[]) p[c] = specific[c] !== "unknown" ? specific[c] : mining;
  return p;
}

/**
 * The assertion for `preferences` (CAWG labels). Search has no entry of its own: only data mining
 * reaches it, and data mining also reaches every category left unstated, so search is written (as
 * data mining) only when the other two are stated; otherwise it is left out, and reads as unknown.
 */
export function trainingMiningFor(preferences: ResolvedPreferences): TrainingMiningAssertion {
  const use = (o: Outcome): TrainingMiningEntry | undefined => (o === "unknown" ? undefined : { use: o === "y" ? "allowed" : "notAllowed" });
  const entries: Record<string, TrainingMiningEntry> = {};
  const gen = use(preferences["train-ai"]);
  const inf = use(preferences["draft-ai-use"]);
  const mining = use(preferences.search);
  if (gen) entries["cawg.ai_generative_training"] = gen;
  if (inf) entries["cawg.ai_inference"] = inf;
  if (mining && gen && inf) entries["cawg.data_mining"] = mining;
  return { label: "cawg.training-mining", entries };
}

/** A minimal manifest store holding one manifest with this assertion (no claim or signature). */
export function writeManifestStore(a: TrainingMiningAssertion, manifestLabel = "urn:uuid:00000000-0000-4000-8000-000000000000"): Uint8Array {
  const cbor = encodeCbor({ entries: a.entries as unknown as CborValue });
  return writeSuperbox({
    uuid: UUID.store,
    label: "c2pa",
    children: [
      {
        uuid: UUID.manifest,
        label: manifestLabel,
        children: [{ uuid: UUID.assertions, label: "c2pa.assertions", children: [{ uuid: UUID.cbor, label: a.label, children: [{ type: "cbor", content: cbor }] }] }],
      },
    ],
  });
}
