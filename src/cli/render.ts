/**
 * Human-readable renderings of registry answers. Only the fields the CLI shows are typed here;
 * `--json` prints the registry's answer untouched for anything that needs the rest.
 */
import { IDENTIFIER_KINDS, type IdentifierKind } from "../domain/work-identifier";
import type { ProblemBody } from "./errors";

type Prefs = Record<string, string>;

export interface Receipt {
  id: string;
  seq: number;
  digest: string;
  status: string;
}

export interface StoredDeclaration extends Receipt {
  intent: string;
  supersedes: string | null;
  declarant: string;
  controller: string | null;
  controller_verified: boolean;
  registered_at: string;
  declaration: { iscc?: string; datahash?: string; urls?: string[]; identifiers?: Partial<Record<IdentifierKind, string[]>>; preferences?: Prefs; name?: string; policy?: string; timestamp?: string };
}

export interface UrlAnswer {
  url: string;
  normalized?: string;
  opted_out?: boolean;
  content_usage?: string;
  declarations?: { id: string; pattern: string; verification: string }[];
  error?: { pointer: string; detail: string };
}

export interface IdentifierAnswer {
  identifier: string;
  normalized?: string;
  opted_out?: boolean;
  content_usage?: string;
  declarations?: { id: string; identifier: string; verification: string }[];
  error?: { pointer: string; detail: string };
}

export interface MatchAnswer {
  max_distance: number;
  backend: string;
  results: {
    iscc: string;
    error?: { pointer: string; detail: string };
    opted_out?: boolean;
    content_usage?: string;
    matches?: {
      declaration: { id?: string; status?: string; declarant?: string; controller?: string | null; preferences?: Prefs };
      decides: boolean;
      units: { unit_type: string; query: string; declared: string; distance: number; similarity: number }[];
    }[];
  }[];
}

export interface Descriptor {
  name: string;
  hub_id: number;
  public_key: string;
  controller: string;
  endpoints: Record<string, string>;
  matching: { default_max_distance: number; max_distance: number; backend: string };
  limits: Record<string, number>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function formatPreferences(p: Prefs | undefined): string {
  const entries = Object.entries(p ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(", ") : "(none)";
}

type Row = [string, string | string[] | undefined | null];

/** Aligned "label  value" lines; a list value continues under its first item. */
function rows(pairs: Row[]): string {
  const shown = pairs.filter((p): p is [string, string | string[]] => p[1] !== undefined && p[1] !== null && p[1].length > 0);
  const width = Math.max(...shown.map(([k]) => k.length));
  const indent = "\n" + " ".repeat(width + 4);
  return shown.map(([k, v]) => `  ${k.padEnd(width)}  ${Array.isArray(v) ? v.join(indent) : v}`).join("\n");
}

function subjects(d: StoredDeclaration["declaration"]): Row[] {
  return [
    ["iscc", d.iscc],
    ["datahash", d.datahash],
    ["urls", d.urls],
    ["identifiers", IDENTIFIER_KINDS.flatMap((kind) => (d.identifiers?.[kind] ?? []).map((v) => `${kind}:${v}`))],
  ];
}

export function formatProblem(p: ProblemBody, httpStatus: number): string {
  const lines = [`${p.title ?? "The registry refused the request"} (HTTP ${p.status ?? httpStatus})`];
  const errors = p.errors ?? [];
  const only = errors.length === 1 ? errors[0]! : undefined;
  // A single-field problem's detail repeats that field's line; show it once.
  if (p.detail && !(only && p.detail === `${only.pointer || "/"}: ${only.detail}`)) lines.push(`  ${p.detail}`);
  for (const e of errors) lines.push(`  ${e.pointer || "/"}: ${e.detail}`);
  return lines.join("\n");
}

export function formatReceipt(r: Receipt, created: boolean, d: StoredDeclaration["declaration"]): string {
  return [
    `${created ? "Registered" : "Already registered"} ${r.id}  (${r.status}, seq ${r.seq})`,
    rows([["digest", r.digest], ...subjects(d), ["preferences", d.preferences ? formatPreferences(d.preferences) : undefined], ["name", d.name]]),
  ].join("\n");
}

export function formatStored(s: StoredDeclaration): string {
  const d = s.declaration;
  return [
    `${s.id}  ${s.status.toUpperCase()}`,
    rows([
      ["intent", s.intent],
      ["supersedes", s.supersedes],
      ["registered", s.registered_at],
      ["signed at", d.timestamp],
      ["digest", s.digest],
      ["declarant", s.declarant],
      ["controller", s.controller ? `${s.controller} (${s.controller_verified ? "verified" : "not verified"})` : undefined],
      ...subjects(d),
      ["preferences", d.preferences ? formatPreferences(d.preferences) : undefined],
      ["name", d.name],
      ["policy", d.policy],
    ]),
  ].join("\n");
}

export function formatUrlAnswer(a: UrlAnswer | IdentifierAnswer): string {
  const subject = "url" in a ? a.url : a.identifier;
  if (a.error) return `${subject}  INVALID  ${a.error.detail}`;
  const decls = a.declarations ?? [];
  const verification = [...new Set(decls.map((d) => d.verification))].join(", ");
  const state = a.opted_out ? "OPTED OUT" : "not opted out";
  const usage = a.content_usage ? `  Content-Usage: ${a.content_usage}` : "";
  const cited = decls.length ? `${plural(decls.length, "declaration")}, ${verification}` : "no declarations";
  return `${subject}  ${state}${usage}  (${cited})`;
}

export function formatMatch(m: MatchAnswer): string {
  const out: string[] = [];
  for (const r of m.results) {
    if (r.error) {
      out.push(`${r.iscc}  INVALID  ${r.error.pointer}: ${r.error.detail}`);
      continue;
    }
    const matches = r.matches ?? [];
    if (!matches.length) {
      out.push(`${r.iscc}  no match  (max distance ${m.max_distance})`);
      continue;
    }
    const state = r.opted_out ? "OPTED OUT" : "not opted out";
    const usage = r.content_usage ? `  Content-Usage: ${r.content_usage}` : "";
    out.push(`${r.iscc}  ${state}${usage}  (${plural(matches.length, "matching declaration")})`);
    for (const x of matches) {
      // An Instance-Code also hits the declared datahash (its first 64 bits); name that hit so it does not read as a duplicate.
      const units = x.units
        .map((u) => (u.declared.startsWith("ISCC:") ? `${u.unit_type} distance ${u.distance} (${(u.similarity * 100).toFixed(1)}%)` : "datahash exact"))
        .join(", ");
      const decides = x.decides ? "" : "  [meta only: does not decide]";
      out.push(`  ${x.declaration.id ?? "?"}  ${units}  ${formatPreferences(x.declaration.preferences)}${decides}`);
    }
  }
  return out.join("\n");
}

export function formatDescriptor(d: Descriptor): string {
  const endpoints = Object.entries(d.endpoints).map(([k, v]) => `${k} ${v}`);
  const limits = Object.entries(d.limits).map(([k, v]) => `${k}=${v}`);
  return [
    `${d.name}  (hub ${d.hub_id})`,
    rows([
      ["public key", d.public_key],
      ["controller", d.controller],
      ["matching", `${d.matching.backend}, default max distance ${d.matching.default_max_distance} (at most ${d.matching.max_distance})`],
      ["endpoints", endpoints],
      ["limits", limits],
    ]),
  ].join("\n");
}
