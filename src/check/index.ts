/**
 * One answer for crawlers: what every signal a site publishes says about a URL, and what the
 * registry holds for it, combined by AIPREF's rule into one verdict for one use.
 *
 *   import { checkUrls } from "./src/check/index";
 *   const [r] = await checkUrls(["https://example.com/a.jpg"], { use: "train-ai", userAgent: "ExampleBot", registry: "https://registry.example" });
 *   r.verdict; // "disallowed" | "allowed" | "unknown", with r.reason and every r.sources[i] behind it
 *
 * Per URL it reads robots.txt (the crawler's group: Allow/Disallow, Content-Usage, Content-Signal,
 * License), /.well-known/tdmrep.json, /ai.txt, the resource itself when robots.txt lets the crawler
 * fetch it (Content-Usage, X-Robots-Tag, tdm-reservation/tdm-policy and Link headers; TDMRep and
 * robots meta, RSL links and inline RSL in HTML; XMP and C2PA in images) and every RSL document
 * named, then asks the registry (POST /v1/lookup) for all URLs at once. Site files are fetched once
 * per host; see fetcher.ts for limits and politeness, sources.ts for how each is read.
 */
import { isCategory, type Category, type ResolvedPreferences, type Verdict } from "../domain/preferences";
import { Fetcher, type FetchedDocument, type FetcherOptions } from "./fetcher";
import { aiTxtSource, applyTdmRepPriority, LIMITS, resourceSources, robotsSources, rslSource, tdmrepFileSource, verdict, type Source } from "./sources";

export type { Source, SourceKind, SourceStatus } from "./sources";
export type { FetchedDocument } from "./fetcher";

export interface CheckOptions extends Partial<Omit<FetcherOptions, "userAgent">> {
  /** The use to decide (a current category). Default train-ai. */
  use?: Category;
  /** The crawler's robots.txt product token, also sent as its User-Agent. Default "optout-check". */
  userAgent?: string;
  /** The registry's base URL, or null not to ask one. */
  registry?: string | null;
}

export interface CheckResult {
  url: string;
  use: Category;
  verdict: Verdict;
  reason: string;
  /** The combined preferences of every source that counts, for every category. */
  preferences: ResolvedPreferences;
  sources: Source[];
}

export interface SiteSignals {
  sources: Source[];
  /** Every document fetched for the URL, in the order read (robots.txt, tdmrep.json, ai.txt, the resource, RSL). */
  documents: FetchedDocument[];
}

/** Everything the site publishes about `url`, read with `fetcher` (shared across URLs for per-host caching). */
export async function siteSignals(url: URL, fetcher: Fetcher, productToken: string): Promise<SiteSignals> {
  const origin = url.origin;
  const [robotsDoc, tdmDoc, aiDoc] = await Promise.all([
    fetcher.get(`${origin}/robots.txt`, LIMITS.robots, "text/plain"),
    fetcher.get(`${origin}/.well-known/tdmrep.json`, LIMITS.tdmrep, "application/json"),
    fetcher.get(`${origin}/ai.txt`, LIMITS.aiTxt, "text/plain"),
  ]);
  const documents: FetchedDocument[] = [robotsDoc, tdmDoc, aiDoc];
  const robots = robotsSources(robotsDoc, url, productToken);
  const sources: Source[] = [...robots.sources];
  const tdm = tdmrepFileSource(tdmDoc, url);
  if (tdm) sources.push(tdm);
  const ai = aiTxtSource(aiDoc, url, productToken);
  if (ai) sources.push(ai);
  const licenses = [...robots.licenses];
  if (robots.crawlAllowed) {
    const resourceDoc = await fetcher.get(url.href, LIMITS.resource);
    documents.push(resourceDoc);
    const resource = await resourceSources(resourceDoc, productToken);
    sources.push(...resource.sources);
    licenses.push(...resource.licenses);
    for (const inline of resource.inlineRsl) sources.push(rslSource({ inline, where: resourceDoc.finalUrl }, url));
  } else {
    sources.push({ kind: "resource", url: url.href, status: "not-fetched", statement: null, preferences: { "train-ai": "unknown", "draft-ai-use": "unknown", search: "unknown" }, detail: "robots.txt does not let this crawler fetch it" });
  }
  for (const license of [...new Set(licenses)]) {
    const doc = await fetcher.get(license, LIMITS.rsl, "application/rsl+xml, application/xml;q=0.9, */*;q=0.1");
    documents.push(doc);
    sources.push(rslSource(doc, url));
  }
  return { sources: applyTdmRepPriority(sources), documents };
}

interface LookupAnswer {
  url: string;
  error?: { detail: string };
  preferences?: ResolvedPreferences;
  content_usage?: string;
  declarations?: { id: string; verification: string; vocabulary?: number }[];
}

/** The registry's answers for every URL (POST /v1/lookup, 10,000 at a time); an Error in place of an answer when it could not be asked. */
async function askRegistry(registry: string, urls: string[], fetchImpl: typeof fetch, timeoutMs: number): Promise<(LookupAnswer | Error)[]> {
  const out: (LookupAnswer | Error)[] = [];
  for (let i = 0; i < urls.length; i += 10_000) {
    const chunk = urls.slice(i, i + 10_000);
    try {
      const res = await fetchImpl(new URL("/v1/lookup", registry).href, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ urls: chunk }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { results: LookupAnswer[] };
      out.push(...body.results);
    } catch (e) {
      out.push(...chunk.map(() => new Error((e as Error).message)));
    }
  }
  return out;
}

function registrySource(registry: string, answer: LookupAnswer | Error): Source {
  const unknown: ResolvedPreferences = { "train-ai": "unknown", "draft-ai-use": "unknown", search: "unknown" };
  const where = new URL("/v1/lookup", registry).href;
  if (answer instanceof Error) return { kind: "registry", url: where, status: "unreachable", statement: null, preferences: unknown, detail: answer.message };
  if (answer.error) return { kind: "registry", url: where, status: "malformed", statement: null, preferences: unknown, detail: answer.error.detail };
  const declarations = answer.declarations ?? [];
  if (!declarations.length) return { kind: "registry", url: where, status: "absent", statement: null, preferences: unknown, detail: "no declaration covers this URL" };
  return {
    kind: "registry",
    url: where,
    status: "stated",
    statement: answer.content_usage ? `Content-Usage: ${answer.content_usage}` : null,
    preferences: answer.preferences ?? unknown,
    detail: declarations.map((d) => `${d.id} (${d.verification})`).join(", "),
  };
}

/** Checks URLs in order; one result per URL. */
export async function checkUrls(urls: string[], opts: CheckOptions = {}): Promise<CheckResult[]> {
  const use = opts.use ?? "train-ai";
  if (!isCategory(use)) throw new Error(`unknown use '${use}'`);
  const userAgent = opts.userAgent ?? "optout-check";
  const fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
  const fetcher = new Fetcher({ ...opts, userAgent, fetch: fetchImpl });
  const parsed = urls.map((u) => {
    try {
      const url = new URL(u);
      return url.protocol === "http:" || url.protocol === "https:" ? url : null;
    } catch {
      return null;
    }
  });
  const registryAnswers = opts.registry ? askRegistry(opts.registry, urls, fetchImpl, opts.timeoutMs ?? 30_000) : Promise.resolve(null);
  const site = await Promise.all(parsed.map((url) => (url ? siteSignals(url, fetcher, userAgent) : null)));
  const answers = await registryAnswers;
  return urls.map((u, i) => {
    const sources: Source[] = site[i]?.sources ?? [
      { kind: "resource", url: u, status: "malformed", statement: null, preferences: { "train-ai": "unknown", "draft-ai-use": "unknown", search: "unknown" }, detail: "not an http(s) URL" },
    ];
    if (answers && opts.registry) sources.push(registrySource(opts.registry, answers[i]!));
    const v = verdict(sources, use);
    return { url: u, use, verdict: v.verdict, reason: v.reason, preferences: v.preferences, sources };
  });
}
