/**
 * `optout declare --from SOURCE`: turns what a rightsholder already publishes into signed
 * declarations. SOURCE is a file or an http(s) URL:
 *   robots.txt, tdmrep.json, an RSL document, ai.txt  → URL-pattern declarations on the site's host
 *     (the URL's host, or --host for a file), one declaration per distinct set of preferences
 *     (src/dialects/declaration-terms.ts says how paths become patterns);
 *   a TDM·AI declaration (JSON)                      → a declaration of its ISCC, in vocabulary 1
 *     (its own -02 keys, kept as signed);
 *   an image (JPEG, PNG, WebP)                        → a declaration of the image's ISCC and
 *     datahash (and any --url), with what its XMP and C2PA metadata say.
 * --dry-run prints the declarations without signing or sending them.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { embeddedSources } from "../check/sources";
import { termsFromAiTxt, termsFromRobotsTxt, termsFromRsl, termsFromTdmRep, type ImportedTerms } from "../dialects/declaration-terms";
import { parseTdmAi, TdmAiError } from "../dialects/tdm-ai";
import { TdmRepError } from "../dialects/tdmrep";
import { RslError } from "../dialects/rsl";
import type { PreferenceMap } from "../domain/declaration-schema";
import { CATEGORIES, combinePreferences, type ResolvedPreferences } from "../domain/preferences";
import type { Context } from "./command";
import { buildActivateOrUpdate, signDeclaration, type SubjectAndTerms, type Unsigned } from "./declaration";
import { CliError, EXIT_USAGE } from "./errors";
import { formatReceipt, type Receipt } from "./render";
import { loadKey } from "./submit";
import { withFile } from "./declaration-flags";

export const DIALECTS = ["robots.txt", "tdmrep.json", "rsl", "ai.txt", "tdm-ai", "image"] as const;
type Dialect = (typeof DIALECTS)[number];

export const FROM_FLAGS = {
  from: { type: "string", value: "FILE|URL", help: "declare what a robots.txt, tdmrep.json, RSL document, ai.txt, TDM·AI declaration or image says" },
  dialect: { type: "string", value: "NAME", help: `with --from: ${DIALECTS.join(", ")} (default: from the name and content)` },
  host: { type: "string", value: "HOST", help: "with --from FILE: the site the file belongs to" },
  "user-agent": { type: "string", value: "TOKEN", help: "with --from robots.txt/ai.txt: the group to read (default *)" },
  "dry-run": { type: "boolean", help: "with --from: print the declarations, do not sign or send them" },
} as const;

export interface FromFlags {
  from?: string | undefined;
  dialect?: string | undefined;
  host?: string | undefined;
  "user-agent"?: string | undefined;
  "dry-run"?: boolean | undefined;
  url?: string[] | undefined;
  name?: string | undefined;
  policy?: string | undefined;
  "train-ai"?: string | undefined;
  "ai-use"?: string | undefined;
  search?: string | undefined;
  all?: string | undefined;
  iscc?: string | undefined;
  file?: string | undefined;
  datahash?: string | undefined;
}

const SOURCE_LIMIT = 64 * 1024 * 1024;

async function readSource(from: string): Promise<{ bytes: Uint8Array; name: string; host: string | null; type: string }> {
  if (/^https?:\/\//i.test(from)) {
    const url = new URL(from);
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(30_000), headers: { "user-agent": "optout-declare" } });
    } catch (e) {
      throw new CliError(`--from ${from}: ${(e as Error).message}`);
    }
    if (!res.ok) throw new CliError(`--from ${from}: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > SOURCE_LIMIT) throw new CliError(`--from ${from}: larger than ${SOURCE_LIMIT} bytes`);
    return { bytes, name: basename(url.pathname) || "index", host: url.host, type: res.headers.get("content-type") ?? "" };
  }
  try {
    return { bytes: new Uint8Array(await readFile(from)), name: basename(from), host: null, type: "" };
  } catch (e) {
    throw new CliError(`--from ${from}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
}

function detect(name: string, type: string, bytes: Uint8Array): Dialect | null {
  const lower = name.toLowerCase();
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return "image";
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return "image";
  if (String.fromCharCode(...bytes.subarray(0, 4)) === "RIFF") return "image";
  if (lower === "robots.txt") return "robots.txt";
  if (lower === "ai.txt") return "ai.txt";
  if (lower === "tdmrep.json") return "tdmrep.json";
  if (lower.endsWith(".rsl") || type.includes("application/rsl+xml")) return "rsl";
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart();
  if (head.startsWith("[")) return "tdmrep.json";
  if (head.startsWith("{")) return "tdm-ai";
  if (head.startsWith("<") && head.includes("rslstandard.org/rsl")) return "rsl";
  return null;
}

function statedPreferences(p: ResolvedPreferences): PreferenceMap {
  const out: PreferenceMap = {};
  for (const c of CATEGORIES) if (p[c] !== "unknown") out[c] = p[c] as "y" | "n";
  return out;
}

function summarize(t: ImportedTerms, ctx: Context): void {
  for (const s of t.skipped) ctx.err(`skipped: ${s.statement.replace(/\n/g, " / ")} (${s.why})`);
}

export async function declareFrom(ctx: Context, flags: FromFlags): Promise<number> {
  const from = flags.from!;
  for (const f of ["train-ai", "ai-use", "search", "all", "iscc", "datahash", "file"] as const) {
    if (flags[f] !== undefined) throw new CliError(`--${f} cannot be combined with --from: the source says it`, EXIT_USAGE);
  }
  if (flags.dialect !== undefined && !(DIALECTS as readonly string[]).includes(flags.dialect)) {
    throw new CliError(`--dialect takes one of ${DIALECTS.join(", ")}, got ${JSON.stringify(flags.dialect)}`, EXIT_USAGE);
  }
  const src = await readSource(from);
  const dialect = (flags.dialect as Dialect | undefined) ?? detect(src.name, src.type, src.bytes);
  if (!dialect) throw new CliError(`--from ${from}: cannot tell which format this is; say it with --dialect (${DIALECTS.join(", ")})`, EXIT_USAGE);
  const text = () => new TextDecoder().decode(src.bytes);
  const common = { ...(flags.name !== undefined ? { name: flags.name } : {}), ...(flags.policy !== undefined ? { policy: flags.policy } : {}) };

  const unsigned: Unsigned[] = [];
  try {
    if (dialect === "image") {
      const sources = (await embeddedSources(src.bytes, from)).filter((s) => s.status === "stated");
      for (const s of sources) ctx.err(`read: ${s.kind} ${s.statement ?? ""}`.trim());
      const prefs = statedPreferences(combinePreferences(sources.map((s) => s.preferences)));
      if (!Object.keys(prefs).length) throw new CliError(`--from ${from}: its XMP and C2PA metadata state no preference`);
      const file = /^https?:/i.test(from) ? null : from;
      if (!file) throw new CliError("--from an image needs a local file (its ISCC is computed from the bytes)", EXIT_USAGE);
      const terms = await withFile(ctx, { terms: { preferences: prefs, ...(flags.url?.length ? { urls: flags.url } : {}), ...common }, file });
      unsigned.push(buildActivateOrUpdate(terms));
    } else if (dialect === "tdm-ai") {
      const d = parseTdmAi(text());
      const prefs = d.form === "aipref" ? d.preferences : null;
      const base = buildActivateOrUpdate({ iscc: d.iscc, ...(flags.url?.length ? { urls: flags.url } : {}), ...common, ...(d.policy && !common.policy && /^https?:/.test(d.policy) ? { policy: d.policy } : {}) });
      if (prefs) {
        // TDM·AI states -02 keys: declared as signed, in vocabulary 1.
        unsigned.push({ ...base, vocabulary: 1, preferences: prefs as PreferenceMap });
      } else {
        const all = d.form === "tdmrep" ? (d.reservation === 1 ? "n" : "y") : "n";
        unsigned.push({ ...base, preferences: { "train-ai": all, "draft-ai-use": all, search: all } });
      }
    } else {
      const host = flags.host ?? src.host;
      if (!host) throw new CliError(`--from ${src.name} needs --host: the site the file belongs to`, EXIT_USAGE);
      if (flags.url?.length) throw new CliError("--url cannot be combined with --from a site file: its rules give the URLs", EXIT_USAGE);
      const ua = flags["user-agent"] ?? "*";
      const t =
        dialect === "robots.txt"
          ? termsFromRobotsTxt(text(), host, ua)
          : dialect === "ai.txt"
            ? termsFromAiTxt(text(), host, ua)
            : dialect === "tdmrep.json"
              ? termsFromTdmRep(text(), host)
              : termsFromRsl(text(), host);
      summarize(t, ctx);
      for (const g of t.groups) {
        for (let i = 0; i < g.urls.length; i += 100) {
          const terms: SubjectAndTerms = { urls: g.urls.slice(i, i + 100), preferences: statedPreferences(g.preferences), ...common, ...(g.policy && !common.policy ? { policy: g.policy } : {}) };
          unsigned.push(buildActivateOrUpdate(terms));
        }
      }
    }
  } catch (e) {
    if (e instanceof TdmRepError || e instanceof RslError || e instanceof TdmAiError) throw new CliError(`--from ${from}: ${e.message}`);
    throw e;
  }
  if (!unsigned.length) throw new CliError(`--from ${from}: nothing to declare (no rule states a preference with a URL form)`);

  if (flags["dry-run"]) {
    ctx.out(JSON.stringify(unsigned, null, 2));
    return 0;
  }
  const keypair = await loadKey(ctx);
  const receipts: Receipt[] = [];
  const summaries: string[] = [];
  for (const u of unsigned) {
    const signed = await signDeclaration(u, keypair);
    const { status, body } = await ctx.registry().post<Receipt>("v1/declarations", signed);
    receipts.push(body);
    summaries.push(formatReceipt(body, status === 201, u));
  }
  ctx.print(receipts, () => summaries.join("\n"));
  return 0;
}
