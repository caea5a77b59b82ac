/**
 * From what a site served to what each of its signals says about one URL: pure functions over
 * fetched documents (fetcher.ts), one source per statement read, each with its raw statement and
 * its preferences in the current vocabulary, and the one verdict they combine into.
 *
 * Statuses: `stated` (read, and it counts), `absent` (nothing there, or nothing for this URL),
 * `unreachable` (no answer, a server error, a non-2xx resource), `malformed` (there, but not in
 * its format), `superseded` (TDMRep: a higher-priority TDMRep source decided), `not-fetched`.
 * Unreachable and malformed sources never count as allowing anything; see `verdict`.
 */
import { readContentSignal } from "../dialects/content-signal";
import { readContentUsage } from "../dialects/content-usage";
import { aiTxtPreferencesFor, parseAiTxt } from "../dialects/ai-txt";
import { trainingMiningAssertions, trainingMiningPreferences } from "../dialects/c2pa";
import { licenseLinks, metaContents, scanHtmlHead } from "../dialects/html-head";
import { readEmbeddedMetadata } from "../dialects/image-metadata";
import { appliesTo, directivesPreferences, parseRobotsMeta, parseXRobotsTagField } from "../dialects/robots-directives";
import { decisiveRule, matchTarget, parseRobotsTxt, preferenceRulesFor, rulesFor } from "../dialects/robots-txt";
import { parseRsl, RslError, rslPreferencesFor, RSL_MEDIA_TYPE } from "../dialects/rsl";
import { parseTdmRepFile, readReservation, reservationPreferences, TdmRepError, tdmRuleFor } from "../dialects/tdmrep";
import { dataMiningPreferences, readXmp, XmpError } from "../dialects/xmp";
import { C2paError } from "../dialects/c2pa";
import { CATEGORIES, combinePreferences, unknownPreferences, verdictFor, type Category, type ResolvedPreferences, type Verdict } from "../domain/preferences";
import type { FetchedDocument } from "./fetcher";

export type SourceKind =
  | "registry"
  | "robots-txt"
  | "content-usage-robots"
  | "content-signal"
  | "content-usage-header"
  | "x-robots-tag"
  | "robots-meta"
  | "tdmrep-file"
  | "tdmrep-header"
  | "tdmrep-meta"
  | "tdmrep-xmp"
  | "rsl"
  | "ai-txt"
  | "c2pa"
  | "iptc-xmp"
  | "resource";

export type SourceStatus = "stated" | "absent" | "unreachable" | "malformed" | "superseded" | "not-fetched";

export interface Source {
  kind: SourceKind;
  /** Where it was read. */
  url: string;
  status: SourceStatus;
  /** The statement as published (a line, a header value, an element, an entry), or null. */
  statement: string | null;
  /** What it said, in the current vocabulary (every category unknown when it said nothing). */
  preferences: ResolvedPreferences;
  detail?: string;
}

/** Byte limits per document (RFC 9309 §2.5 for robots.txt; the others are this tool's). */
export const LIMITS = { robots: 512 * 1024, tdmrep: 1024 * 1024, aiTxt: 512 * 1024, rsl: 1024 * 1024, resource: 4 * 1024 * 1024 };

const text = (d: FetchedDocument) => new TextDecoder().decode(d.body);
const isHtml = (d: FetchedDocument) => /^\s*(text\/html|application\/xhtml\+xml)/i.test(d.headers["content-type"] ?? "");
const allNo = (): ResolvedPreferences => Object.fromEntries(CATEGORIES.map((c) => [c, "n"])) as ResolvedPreferences;
const source = (kind: SourceKind, url: string, status: SourceStatus, statement: string | null, preferences = unknownPreferences(), detail?: string): Source => ({
  kind,
  url,
  status,
  statement,
  preferences,
  ...(detail !== undefined ? { detail } : {}),
});

/** A site file's fetch outcome as a status, or null when its body is there to read. */
function fileStatus(d: FetchedDocument): { status: SourceStatus; detail: string } | null {
  if (d.outcome === "unreachable") return { status: "unreachable", detail: d.error ?? "no answer" };
  if (d.status! >= 500) return { status: "unreachable", detail: `HTTP ${d.status}` };
  if (d.status! >= 400) return { status: "absent", detail: `HTTP ${d.status}` };
  if (d.status! >= 300) return { status: "unreachable", detail: `HTTP ${d.status} without a usable Location` };
  return null;
}

export interface RobotsReading {
  sources: Source[];
  /** False when the crawler may not fetch the URL (a Disallow, or robots.txt unreachable). */
  crawlAllowed: boolean;
  /** RSL documents named by `License:` records. */
  licenses: string[];
}

/** robots.txt (RFC 9309) with its Content-Usage, Content-Signal and License records, for one URL. */
export function robotsSources(d: FetchedDocument, url: URL, productToken: string): RobotsReading {
  const where = d.finalUrl;
  const failed = fileStatus(d);
  if (failed?.status === "unreachable")
    return {
      sources: [source("robots-txt", where, "unreachable", null, allNo(), `${failed.detail}: RFC 9309 §2.3.1.4, assume complete disallow`)],
      crawlAllowed: false,
      licenses: [],
    };
  if (failed) return { sources: [source("robots-txt", where, "absent", null, unknownPreferences(), `${failed.detail}: no rules apply (RFC 9309 §2.3.1.3)`)], crawlAllowed: true, licenses: [] };
  const robots = parseRobotsTxt(text(d));
  const rules = rulesFor(robots, productToken);
  const target = matchTarget(url);
  const rule = decisiveRule(rules, target);
  const out: Source[] = [];
  const note = robots.truncated || d.truncated ? " (only the first 500 KiB were parsed, RFC 9309 §2.5)" : "";
  if (rule?.kind === "disallow") {
    out.push(source("robots-txt", where, "stated", `Disallow: ${rule.path}`, allNo(), `crawling this URL is disallowed for ${productToken}${note}`));
    return { sources: out, crawlAllowed: false, licenses: robots.licenses };
  }
  out.push(source("robots-txt", where, "stated", rule ? `Allow: ${rule.path}` : null, unknownPreferences(), `crawling this URL is allowed for ${productToken}${note}`));
  for (const r of preferenceRulesFor(rules, target, "content-usage")) {
    const reading = readContentUsage(r.statement);
    const line = `Content-Usage: ${[r.path, r.statement].filter(Boolean).join(" ")}`;
    out.push(
      reading.ok
        ? source("content-usage-robots", where, "stated", line, reading.preferences, reading.ignored.length ? `ignored labels: ${reading.ignored.join(", ")}` : undefined)
        : source("content-usage-robots", where, "malformed", line, unknownPreferences(), reading.error),
    );
  }
  for (const r of preferenceRulesFor(rules, target, "content-signal")) {
    const reading = readContentSignal(r.statement);
    const line = `Content-Signal: ${[r.path, r.statement].filter(Boolean).join(" ")}`;
    out.push(
      reading.ok
        ? source("content-signal", where, "stated", line, reading.preferences, [...reading.invalid.map((k) => `invalid value for ${k}`), ...reading.ignored.map((k) => `ignored key ${k}`)].join("; ") || undefined)
        : source("content-signal", where, "malformed", line, unknownPreferences(), reading.error),
    );
  }
  return { sources: out, crawlAllowed: true, licenses: robots.licenses.map((l) => new URL(l, d.finalUrl).href) };
}

/** /.well-known/tdmrep.json for one URL, or null when the site has none. */
export function tdmrepFileSource(d: FetchedDocument, url: URL): Source | null {
  const where = d.finalUrl;
  const failed = fileStatus(d);
  if (failed?.status === "absent") return null;
  if (failed) return source("tdmrep-file", where, failed.status, null, unknownPreferences(), failed.detail);
  // Many sites answer any path with an HTML page: that is no tdmrep.json (the site does not publish one).
  if (isHtml(d)) return null;
  if (d.truncated) return source("tdmrep-file", where, "malformed", null, unknownPreferences(), "larger than the limit: not read");
  try {
    const rule = tdmRuleFor(parseTdmRepFile(text(d)), url);
    if (!rule) return source("tdmrep-file", where, "absent", null, unknownPreferences(), "no rule's location matches this URL: unset");
    const statement = JSON.stringify({ location: rule.location, "tdm-reservation": rule.reservation ?? rule.invalid, ...(rule.policy ? { "tdm-policy": rule.policy } : {}) });
    if (rule.reservation === null) return source("tdmrep-file", where, "malformed", statement, unknownPreferences(), "tdm-reservation is neither 1 nor 0: a protocol error, unset");
    return source("tdmrep-file", where, "stated", statement, reservationPreferences(rule.reservation), rule.policy ? `tdm-policy ${rule.policy}` : undefined);
  } catch (e) {
    if (e instanceof TdmRepError) return source("tdmrep-file", where, "malformed", text(d).slice(0, 200), unknownPreferences(), e.message);
    throw e;
  }
}

/** /ai.txt for one URL, or null when the site has none. */
export function aiTxtSource(d: FetchedDocument, url: URL, productToken: string): Source | null {
  const where = d.finalUrl;
  const failed = fileStatus(d);
  if (failed?.status === "absent") return null;
  if (failed) return source("ai-txt", where, failed.status, null, unknownPreferences(), failed.detail);
  // Many sites answer any path with their HTML page: that is no ai.txt.
  if (isHtml(d)) return null;
  const reading = aiTxtPreferencesFor(parseAiTxt(text(d)), url, productToken);
  return reading.rule ? source("ai-txt", where, "stated", reading.rule, reading.preferences) : source("ai-txt", where, "absent", null, unknownPreferences(), "no rule matches this URL");
}

export interface ResourceReading {
  sources: Source[];
  /** RSL documents the resource points to (Link header, HTML link). */
  licenses: string[];
  /** RSL documents embedded in the page. */
  inlineRsl: string[];
}

/** The resource itself: its headers, its HTML head or its embedded image metadata. */
export async function resourceSources(d: FetchedDocument, productToken: string): Promise<ResourceReading> {
  const where = d.finalUrl;
  if (d.outcome === "unreachable" || d.status! < 200 || d.status! >= 300)
    return { sources: [source("resource", where, "unreachable", null, unknownPreferences(), d.error ?? `HTTP ${d.status}: its own signals could not be read`)], licenses: [], inlineRsl: [] };
  const out: Source[] = [];
  const licenses: string[] = [];
  const inlineRsl: string[] = [];
  const h = d.headers;
  if (h["content-usage"] !== undefined) {
    const reading = readContentUsage(h["content-usage"]);
    out.push(
      reading.ok
        ? source("content-usage-header", where, "stated", h["content-usage"], reading.preferences, reading.ignored.length ? `ignored labels: ${reading.ignored.join(", ")}` : undefined)
        : source("content-usage-header", where, "malformed", h["content-usage"], unknownPreferences(), reading.error),
    );
  }
  const contentType = (h["content-type"] ?? "").toLowerCase();
  const isImage = contentType.startsWith("image/");
  if (h["x-robots-tag"] !== undefined) {
    const applying = parseXRobotsTagField(h["x-robots-tag"]).filter((x) => appliesTo(x, productToken));
    out.push(source("x-robots-tag", where, "stated", h["x-robots-tag"], combinePreferences(applying.map((x) => directivesPreferences(x, isImage)))));
  }
  if (h["tdm-reservation"] !== undefined) {
    const r = readReservation(h["tdm-reservation"]);
    const statement = `tdm-reservation: ${h["tdm-reservation"]}` + (h["tdm-policy"] ? `\ntdm-policy: ${h["tdm-policy"]}` : "");
    out.push(r === null ? source("tdmrep-header", where, "malformed", statement, unknownPreferences(), "neither 1 nor 0: a protocol error, unset") : source("tdmrep-header", where, "stated", statement, reservationPreferences(r)));
  }
  for (const m of (h.link ?? "").matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const params = m[2]!.toLowerCase();
    if (/rel="?[^";]*\blicense\b/.test(params) && params.includes(RSL_MEDIA_TYPE)) licenses.push(new URL(m[1]!, where).href);
  }
  if (isHtml(d)) {
    const head = scanHtmlHead(text(d));
    const reservation = metaContents(head, "tdm-reservation")[0];
    if (reservation !== undefined) {
      const r = readReservation(reservation);
      const policy = metaContents(head, "tdm-policy")[0];
      const statement = `<meta name="tdm-reservation" content="${reservation}">` + (policy ? `<meta name="tdm-policy" content="${policy}">` : "");
      out.push(r === null ? source("tdmrep-meta", where, "malformed", statement, unknownPreferences(), "neither 1 nor 0: a protocol error, unset") : source("tdmrep-meta", where, "stated", statement, reservationPreferences(r)));
    }
    for (const t of head.tags) {
      const name = (t.attrs.name ?? "").toLowerCase();
      if (t.tag !== "meta" || t.attrs.content === undefined || (name !== "robots" && name !== productToken.toLowerCase())) continue;
      const d2 = parseRobotsMeta(name, t.attrs.content);
      out.push(source("robots-meta", where, "stated", `<meta name="${t.attrs.name}" content="${t.attrs.content}">`, directivesPreferences(d2, false)));
    }
    licenses.push(...licenseLinks(head, RSL_MEDIA_TYPE).map((l) => new URL(l, where).href));
    inlineRsl.push(...head.rslScripts);
  } else if (isImage || /^(image|application\/octet-stream)/.test(contentType)) {
    out.push(...(await embeddedSources(d.body, where)));
  }
  return { sources: out, licenses, inlineRsl };
}

/** XMP (IPTC plus:DataMining, TDMRep) and C2PA training-mining assertions inside an image. */
export async function embeddedSources(bytes: Uint8Array, where: string): Promise<Source[]> {
  const m = await readEmbeddedMetadata(bytes);
  const out: Source[] = [];
  for (const packet of m.xmp) {
    try {
      const x = readXmp(packet);
      if (x.dataMining) {
        const statement = `plus:DataMining ${x.dataMining.value}`;
        out.push(
          x.dataMining.term === null
            ? source("iptc-xmp", where, "malformed", statement, unknownPreferences(), "not a term of the PLUS Data Mining vocabulary")
            : source("iptc-xmp", where, "stated", statement, dataMiningPreferences(x.dataMining.term)),
        );
      }
      if (x.tdm) {
        const statement = `tdm:reservation ${x.tdm.raw}` + (x.tdm.policy ? `, tdm:policy ${x.tdm.policy}` : "");
        out.push(x.tdm.reservation === null ? source("tdmrep-xmp", where, "malformed", statement, unknownPreferences(), "neither 1 nor 0") : source("tdmrep-xmp", where, "stated", statement, reservationPreferences(x.tdm.reservation)));
      }
    } catch (e) {
      if (!(e instanceof XmpError)) throw e;
      out.push(source("iptc-xmp", where, "malformed", packet.slice(0, 200), unknownPreferences(), e.message));
    }
  }
  for (const store of m.manifestStores) {
    try {
      for (const a of trainingMiningAssertions(store)) {
        out.push(source("c2pa", where, "stated", JSON.stringify({ [a.label]: { entries: a.entries } }), trainingMiningPreferences(a), "read from the active manifest; its signature is not verified"));
      }
    } catch (e) {
      if (!(e instanceof C2paError)) throw e;
      out.push(source("c2pa", where, "malformed", null, unknownPreferences(), e.message));
    }
  }
  for (const p of m.problems) if (m.format !== "unsupported") out.push(source("resource", where, "malformed", null, unknownPreferences(), p));
  return out;
}

/** One RSL document (fetched, or inline when `d` is a string) for one URL. */
export function rslSource(d: FetchedDocument | { inline: string; where: string }, url: URL): Source {
  const where = "inline" in d ? d.where : d.finalUrl;
  if (!("inline" in d)) {
    const failed = fileStatus(d);
    if (failed) return source("rsl", where, failed.status === "absent" ? "unreachable" : failed.status, null, unknownPreferences(), `the license named by the site: ${failed.detail}`);
    if (d.truncated) return source("rsl", where, "malformed", null, unknownPreferences(), "larger than the limit: not read");
  }
  const body = "inline" in d ? d.inline : text(d);
  try {
    const reading = rslPreferencesFor(parseRsl(body), url);
    if (reading.content === null) return source("rsl", where, "absent", null, unknownPreferences(), "no <content> of the license matches this URL");
    return source("rsl", where, "stated", `<content url="${reading.content}">`, reading.preferences, reading.reasons.join("; "));
  } catch (e) {
    if (e instanceof RslError) return source("rsl", where, "malformed", body.slice(0, 200), unknownPreferences(), e.message);
    throw e;
  }
}

/** TDMRep's own order (§"Processing priority"): header over file, HTML metadata over both. */
export function applyTdmRepPriority(sources: Source[]): Source[] {
  const rank: Partial<Record<SourceKind, number>> = { "tdmrep-file": 0, "tdmrep-header": 1, "tdmrep-meta": 2, "tdmrep-xmp": 2 };
  const deciding = Math.max(-1, ...sources.filter((s) => s.status === "stated" && rank[s.kind] !== undefined).map((s) => rank[s.kind]!));
  return sources.map((s) =>
    s.status === "stated" && rank[s.kind] !== undefined && rank[s.kind]! < deciding ? { ...s, status: "superseded" as const, detail: "a higher-priority TDMRep statement decides (TDMRep §Processing priority)" } : s,
  );
}

export interface CheckVerdict {
  verdict: Verdict;
  /** The combined preferences of every source that counts. */
  preferences: ResolvedPreferences;
  reason: string;
}

/** Whether a source's preferences count: stated ones, and an unreachable robots.txt (a complete disallow, RFC 9309 §2.3.1.4). */
export function counts(s: Source): boolean {
  return s.status === "stated" || (s.kind === "robots-txt" && s.status === "unreachable");
}

/**
 * AIPREF's rule over every source that counts (-07 §5.1): any `n` wins, then `y`, else unknown —
 * except that an allow is not given while a source could not be read (unreachable or malformed):
 * what it would have said is unknown, so the verdict is too.
 */
export function verdict(sources: Source[], use: Category): CheckVerdict {
  const counted = sources.filter(counts);
  const preferences = combinePreferences(counted.map((s) => s.preferences));
  const v = verdictFor(preferences, use);
  const unread = sources.filter((s) => s.status === "unreachable" || s.status === "malformed");
  if (v === "disallowed") {
    const by = counted.filter((s) => s.preferences[use] === "n").map((s) => s.kind);
    return { verdict: v, preferences, reason: `disallowed by ${[...new Set(by)].join(", ")}` };
  }
  if (v === "allowed" && unread.length) return { verdict: "unknown", preferences, reason: `allowed by what was read, but ${unread.map((s) => `${s.kind} (${s.status})`).join(", ")} could not be read` };
  if (v === "allowed") return { verdict: v, preferences, reason: `allowed by ${[...new Set(counted.filter((s) => s.preferences[use] === "y").map((s) => s.kind))].join(", ")}, and nothing disallows it` };
  return { verdict: v, preferences, reason: unread.length ? `nothing states this use; ${unread.map((s) => `${s.kind} (${s.status})`).join(", ")} could not be read` : "no source states this use" };
}
