/**
 * `optout`: declare, update and revoke AI-training opt-outs in a registry, and look them up,
 * without writing any crypto. Entry point for bin/optout.mjs. See docs/cli.md.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { checkController, defaultKeyPath, readKeyFile, writeNewKeyFile } from "./optout-key-file";
import {
  buildActivateOrUpdate,
  buildRevoke,
  preferencesFromFlags,
  signDeclaration,
  type SubjectAndTerms,
  type Unsigned,
} from "./optout-declaration";
import { CliError, EXIT_FAILURE, EXIT_USAGE, ProblemError } from "./optout-errors";
import {
  formatDescriptor,
  formatMatch,
  formatProblem,
  formatReceipt,
  formatStored,
  formatUrlAnswer,
  type Descriptor,
  type MatchAnswer,
  type Receipt,
  type StoredDeclaration,
  type UrlAnswer,
} from "./optout-output";
import { DEFAULT_REGISTRY, RegistryClient } from "./optout-registry-client";
import { auditOnce, defaultAuditStatePath, verifyDeclaration } from "./optout-verify";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | string[] | undefined>;

interface OptionDoc {
  flag: string;
  help: string;
}

interface Command {
  name: string;
  args: string;
  summary: string;
  options: Options;
  docs: OptionDoc[];
  positionals: { min: number; max: number };
  run(ctx: Context, positionals: string[]): Promise<number>;
}

interface Context {
  values: Values;
  json: boolean;
  registry(): RegistryClient;
  keyPath(): string;
  out(text: string): void;
  err(text: string): void;
}

const GLOBAL_OPTIONS: Options = {
  registry: { type: "string" },
  key: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const GLOBAL_DOCS: OptionDoc[] = [
  { flag: "--registry URL", help: `registry base URL (env OPTOUT_REGISTRY; default ${DEFAULT_REGISTRY})` },
  { flag: "--key FILE", help: "key file (env OPTOUT_KEY; default ~/.config/optout/key.json)" },
  { flag: "--json", help: "print the registry's JSON answer instead of a summary" },
  { flag: "-h, --help", help: "show help" },
];

const TERMS_OPTIONS: Options = {
  iscc: { type: "string" },
  file: { type: "string" },
  datahash: { type: "string" },
  url: { type: "string", multiple: true },
  all: { type: "string" },
  "train-ai": { type: "string" },
  "train-genai": { type: "string" },
  "ai-use": { type: "string" },
  search: { type: "string" },
  name: { type: "string" },
  policy: { type: "string" },
  controller: { type: "string" },
};

const TERMS_DOCS: OptionDoc[] = [
  { flag: "--iscc CODE", help: "an ISCC-CODE or a single ISCC unit" },
  { flag: "--file PATH", help: "compute the ISCC-CODE and datahash of a local file" },
  { flag: "--datahash HASH", help: "BLAKE3 multihash of the file: 1e20 + 64 hex digits" },
  { flag: "--url PATTERN", help: "URL, path prefix ending in * or https://*.host/* (repeatable)" },
  { flag: "--train-ai y|n", help: "AI training (default when no preference is given: n)" },
  { flag: "--train-genai y|n", help: "generative AI training" },
  { flag: "--ai-use y|n", help: "use as AI input (e.g. retrieval, grounding)" },
  { flag: "--search y|n", help: "search indexing" },
  { flag: "--all y|n", help: "every use above" },
  { flag: "--name TEXT", help: "a title for the work" },
  { flag: "--policy URL", help: "where to read your licensing terms" },
  { flag: "--controller DID", help: "did:web:HOST that lists your key (overrides the key file)" },
];

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`${flag} takes a whole number, got ${JSON.stringify(text)}`, EXIT_USAGE);
  return Number(text);
}

async function loadKey(ctx: Context) {
  const path = ctx.keyPath();
  const { keypair, warning } = await readKeyFile(path);
  if (warning) ctx.err(warning);
  const controller = str(ctx.values, "controller");
  if (controller !== undefined) keypair.controller = checkController(controller);
  return keypair;
}

/** Everything the flags say, checked before any slow work; `file` is hashed later by `withFile`. */
function termsFromFlags(ctx: Context): { terms: SubjectAndTerms; file?: string } {
  const v = ctx.values;
  const terms: SubjectAndTerms = {
    preferences: preferencesFromFlags({
      all: str(v, "all"),
      "train-ai": str(v, "train-ai"),
      "train-genai": str(v, "train-genai"),
      "ai-use": str(v, "ai-use"),
      search: str(v, "search"),
    }),
  };
  const iscc = str(v, "iscc");
  const datahash = str(v, "datahash");
  const file = str(v, "file");
  if (iscc !== undefined && file !== undefined) throw new CliError("give --iscc or --file, not both", EXIT_USAGE);
  if (iscc !== undefined) terms.iscc = iscc;
  if (datahash !== undefined) terms.datahash = datahash;
  const urls = v.url;
  if (Array.isArray(urls) && urls.length) terms.urls = urls;
  const name = str(v, "name");
  const policy = str(v, "policy");
  if (name !== undefined) terms.name = name;
  if (policy !== undefined) terms.policy = policy;
  return file !== undefined ? { terms, file } : { terms };
}

async function withFile(ctx: Context, { terms, file }: { terms: SubjectAndTerms; file?: string }): Promise<SubjectAndTerms> {
  if (file === undefined) return terms;
  // Loaded on demand: the image decoders are only needed here, and every other command starts faster without them.
  const { isccOfFile, FileIsccError } = await import("./file-iscc");
  const { enableFastBlake3 } = await import("../iscc/index");
  await enableFastBlake3();
  const computed = await isccOfFile(file).catch((e: unknown) => {
    throw e instanceof FileIsccError ? new CliError(`--file ${e.message}`) : e;
  });
  if (terms.datahash !== undefined && terms.datahash !== computed.datahash) {
    throw new CliError(`--datahash ${terms.datahash} is not the datahash of ${file} (${computed.datahash})`, EXIT_USAGE);
  }
  if (!ctx.json) {
    const how =
      computed.kind === "binary"
        ? "no Content-Code (not PNG, JPEG or UTF-8 text): Data- and Instance-Code only"
        : `${computed.kind} Content-Code, Data- and Instance-Code`;
    ctx.err(`${file}: ${computed.iscc} (${computed.filesize} bytes; ${how})`);
  }
  return { ...terms, iscc: computed.iscc, datahash: computed.datahash };
}

/** Signs and posts; the receipt carries no subjects, so the summary shows what was sent. */
async function register(
  ctx: Context,
  build: () => Promise<Unsigned>,
  describe: (r: Receipt, created: boolean, sent: Unsigned) => string,
): Promise<number> {
  // The key before `build`: a missing key file should fail before minutes of hashing a large --file.
  const keypair = await loadKey(ctx);
  const unsigned = await build();
  const signed = await signDeclaration(unsigned, keypair);
  const { status, body } = await ctx.registry().post<Receipt>("v1/declarations", signed);
  ctx.out(ctx.json ? JSON.stringify(body, null, 2) : describe(body, status === 201, unsigned));
  return 0;
}

const COMMANDS: Command[] = [
  {
    name: "keygen",
    args: "",
    summary: "create your signing key (a key file, mode 0600; never overwritten)",
    options: { controller: { type: "string" } },
    docs: [{ flag: "--controller DID", help: "did:web:HOST whose did.json will list this key (optional)" }],
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const path = ctx.keyPath();
      const controller = str(ctx.values, "controller");
      const file = await writeNewKeyFile(path, controller !== undefined ? checkController(controller) : undefined);
      if (ctx.json) {
        ctx.out(JSON.stringify({ path, pubkey: file.pubkey, ...(file.controller ? { controller: file.controller } : {}) }, null, 2));
      } else {
        ctx.out(`Wrote ${path} (mode 0600)\n  pubkey  ${file.pubkey}${file.controller ? `\n  controller  ${file.controller}` : ""}`);
        ctx.out("Keep this file safe: only this key can update or revoke what you declare with it.");
      }
      return 0;
    },
  },
  {
    name: "declare",
    args: "",
    summary: "sign and register a declaration (by ISCC, file, datahash and/or URL patterns)",
    options: TERMS_OPTIONS,
    docs: TERMS_DOCS,
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const flags = termsFromFlags(ctx);
      return register(ctx, async () => buildActivateOrUpdate(await withFile(ctx, flags)), (r, created, sent) => {
        const text = formatReceipt(r, created, sent);
        return created ? `${text}\nKeep the id: you need it to update or revoke this declaration.` : text;
      });
    },
  },
  {
    name: "update",
    args: "<id>",
    summary: "replace one of your declarations with new subjects and preferences",
    options: TERMS_OPTIONS,
    docs: TERMS_DOCS,
    positionals: { min: 1, max: 1 },
    async run(ctx, [id]) {
      const flags = termsFromFlags(ctx);
      return register(ctx, async () => buildActivateOrUpdate(await withFile(ctx, flags), id!), (r, created, sent) =>
        formatReceipt(r, created, sent).replace(/^(Registered|Already registered) /, `$1 update of ${id}: `),
      );
    },
  },
  {
    name: "revoke",
    args: "<id>",
    summary: "end one of your declarations",
    options: { controller: { type: "string" } },
    docs: [{ flag: "--controller DID", help: "did:web:HOST that lists your key (overrides the key file)" }],
    positionals: { min: 1, max: 1 },
    async run(ctx, [id]) {
      return register(ctx, async () => buildRevoke(id!), (r, created) =>
        `${created ? "Revoked" : "Already revoked"} ${id}\n  revocation  ${r.id}  (seq ${r.seq})\n  digest      ${r.digest}`,
      );
    },
  },
  {
    name: "resolve",
    args: "<id|digest>",
    summary: "show a declaration, its status and its receipt",
    options: {},
    docs: [],
    positionals: { min: 1, max: 1 },
    async run(ctx, [id]) {
      const { body } = await ctx.registry().get<StoredDeclaration>(`v1/declarations/${encodeURIComponent(id!)}`);
      ctx.out(ctx.json ? JSON.stringify(body, null, 2) : formatStored(body));
      return 0;
    },
  },
  {
    name: "lookup",
    args: "<url>...",
    summary: "effective preferences for URLs, with a Content-Usage value",
    options: { snapshot: { type: "string" } },
    docs: [{ flag: "--snapshot FILE", help: "check against the registry's signed offline snapshot first (downloaded to FILE if missing); only possible matches go to the API" }],
    positionals: { min: 1, max: Infinity },
    async run(ctx, urls) {
      let answers: UrlAnswer[];
      let raw: unknown;
      // --- offline snapshot (src/cli/snapshot.ts, issue 6) ---
      const snapshotFile = str(ctx.values, "snapshot");
      if (snapshotFile !== undefined) {
        const { lookupWithSnapshot } = await import("./snapshot");
        const r = await lookupWithSnapshot(ctx.registry(), snapshotFile, urls);
        ctx.out(ctx.json ? JSON.stringify({ snapshot_version: r.version, results: r.answers }, null, 2) : r.answers.map(formatUrlAnswer).join("\n"));
        return r.answers.some((a) => a.error) ? EXIT_FAILURE : 0;
      }
      // --- end offline snapshot ---
      if (urls.length === 1) {
        const { body } = await ctx.registry().get<UrlAnswer>(`v1/lookup?url=${encodeURIComponent(urls[0]!)}`);
        answers = [body];
        raw = body;
      } else {
        const { body } = await ctx.registry().post<{ results: UrlAnswer[] }>("v1/lookup", { urls });
        answers = body.results;
        raw = body;
      }
      ctx.out(ctx.json ? JSON.stringify(raw, null, 2) : answers.map(formatUrlAnswer).join("\n"));
      return answers.some((a) => a.error) ? EXIT_FAILURE : 0;
    },
  },
  {
    name: "match",
    args: "<iscc>...",
    summary: "declarations whose ISCC units are similar to these codes",
    options: { "max-distance": { type: "string" } },
    docs: [{ flag: "--max-distance N", help: "Hamming distance in bits (registry default if omitted; see `optout info`)" }],
    positionals: { min: 1, max: Infinity },
    async run(ctx, codes) {
      const md = str(ctx.values, "max-distance");
      let maxDistance: number | undefined;
      if (md !== undefined) {
        if (!/^\d+$/.test(md)) throw new CliError(`--max-distance takes a whole number of bits, got ${JSON.stringify(md)}`, EXIT_USAGE);
        maxDistance = Number(md);
      }
      const { body } = await ctx.registry().post<MatchAnswer>("v1/match", {
        iscc: codes,
        ...(maxDistance !== undefined ? { max_distance: maxDistance } : {}),
      });
      ctx.out(ctx.json ? JSON.stringify(body, null, 2) : formatMatch(body));
      return body.results.some((r) => r.error) ? EXIT_FAILURE : 0;
    },
  },
  {
    name: "verify",
    args: "<id|digest>",
    summary: "check a declaration's whole chain: declarant signature, registry receipt, inclusion in a signed checkpoint",
    options: { "registry-key": { type: "string" }, trust: { type: "string", multiple: true } },
    docs: [
      { flag: "--registry-key z6Mk…", help: "the registry key you trust (default: the one its descriptor presents, shown in the output)" },
      { flag: "--trust NAME=z6Mk…", help: "also trust receipts signed by registry NAME with this key (declarations received from peers); repeatable" },
    ],
    positionals: { min: 1, max: 1 },
    async run(ctx, [id]) {
      const trust = (ctx.values.trust as string[] | undefined) ?? [];
      const { steps, keyNote } = await verifyDeclaration(ctx.registry(), id!, { registryKey: str(ctx.values, "registry-key"), trust });
      const ok = steps.every((s) => s.ok);
      if (ctx.json) ctx.out(JSON.stringify({ ok, steps }, null, 2));
      else ctx.out([...steps.map((s) => `${s.ok ? "ok  " : "FAIL"}  ${s.step.padEnd(20)} ${s.detail}`), `${ok ? "VERIFIED" : "NOT VERIFIED"} (${keyNote})`].join("\n"));
      return ok ? 0 : EXIT_FAILURE;
    },
  },
  {
    name: "audit",
    args: "[registry-url]",
    summary: "fetch the registry's signed checkpoint and check it extends every checkpoint you kept before",
    options: { state: { type: "string" }, interval: { type: "string" }, count: { type: "string" } },
    docs: [
      { flag: "--state FILE", help: "where the checkpoints you saw are kept (default ~/.config/optout/audit/<host>.json)" },
      { flag: "--interval S", help: "seconds between rounds (default 60)" },
      { flag: "--count N", help: "rounds to run (default 1; run from cron, or with --count to watch)" },
    ],
    positionals: { min: 0, max: 1 },
    async run(ctx, [url]) {
      const client = url !== undefined ? new RegistryClient(url) : ctx.registry();
      const count = wholeNumber(str(ctx.values, "count") ?? "1", "--count");
      const interval = wholeNumber(str(ctx.values, "interval") ?? "60", "--interval");
      const statePath = str(ctx.values, "state") ?? defaultAuditStatePath(client.base);
      for (let round = 1; round <= count; round++) {
        const r = await auditOnce(client, statePath);
        (r.ok ? ctx.out : ctx.err)(ctx.json ? JSON.stringify(r) : r.message);
        if (!r.ok) return EXIT_FAILURE;
        if (round < count) await new Promise((done) => setTimeout(done, interval * 1000));
      }
      return 0;
    },
  },
  {
    name: "info",
    args: "",
    summary: "the registry's descriptor: name, hub id, key, endpoints, limits",
    options: {},
    docs: [],
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const { body } = await ctx.registry().get<Descriptor>(".well-known/opt-out-registry");
      ctx.out(ctx.json ? JSON.stringify(body, null, 2) : formatDescriptor(body));
      return 0;
    },
  },
];

function optionLines(docs: OptionDoc[]): string[] {
  const width = Math.max(...docs.map((d) => d.flag.length));
  return docs.map((d) => `  ${d.flag.padEnd(width)}  ${d.help}`);
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c.name} ${c.args}`.length));
  return [
    "Usage: optout <command> [options]",
    "",
    "Declare that your works are not to be used for AI training, in an open opt-out registry,",
    "and look declarations up. Signing is done for you with the key from `optout keygen`.",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${`${c.name} ${c.args}`.trimEnd().padEnd(width)}  ${c.summary}`),
    "",
    "Global options:",
    ...optionLines(GLOBAL_DOCS),
    "",
    "Run `optout <command> --help` for a command's options.",
    "Example: optout keygen && optout declare --url 'https://example.com/art/*' --train-ai n",
  ].join("\n");
}

function commandHelp(c: Command): string {
  return [
    `Usage: optout ${c.name}${c.args ? " " + c.args : ""} [options]`,
    "",
    `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`,
    ...(c.docs.length ? ["", "Options:", ...optionLines(c.docs)] : []),
    "",
    "Global options:",
    ...optionLines(GLOBAL_DOCS),
  ].join("\n");
}

/** Global options may come before the command; everything after it is parsed with the command's options. */
function splitAtCommand(argv: string[]): { before: string[]; command?: string; after: string[] } {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith("-") && argv[i] !== "--") {
    const arg = argv[i]!;
    const name = arg.startsWith("--") ? arg.slice(2).split("=")[0]! : Object.entries(GLOBAL_OPTIONS).find(([, o]) => o.short === arg.slice(1))?.[0];
    const def = name !== undefined ? GLOBAL_OPTIONS[name] : undefined;
    if (!def) throw new CliError(`unknown option ${arg} (before the command); see \`optout --help\``, EXIT_USAGE);
    i += def.type === "string" && !arg.includes("=") ? 2 : 1;
  }
  if (i > argv.length) throw new CliError(`option ${argv[argv.length - 1]} needs a value`, EXIT_USAGE);
  return { before: argv.slice(0, i), command: argv[i], after: argv.slice(i + 1) };
}

function parse(args: string[], options: Options) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError((e as Error).message, EXIT_USAGE);
  }
}

export async function main(argv: string[], io = { out: (s: string) => console.log(s), err: (s: string) => console.error(s) }): Promise<number> {
  let json = false;
  try {
    const { before, command: name, after } = splitAtCommand(argv);
    const globals = parse(before, GLOBAL_OPTIONS).values as Values;
    json = globals.json === true;
    if (name === undefined || name === "help") {
      const topic = name === "help" ? COMMANDS.find((c) => c.name === after[0]) : undefined;
      // Bare `optout` is a usage mistake: help goes to stderr so a pipeline does not take it for output.
      if (name === undefined && !globals.help) {
        io.err(mainHelp());
        return EXIT_USAGE;
      }
      io.out(topic ? commandHelp(topic) : mainHelp());
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new CliError(`unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.map((c) => c.name).join(", ")}`, EXIT_USAGE);
    if (globals.help) {
      io.out(commandHelp(command));
      return 0;
    }
    const parsed = parse(after, { ...GLOBAL_OPTIONS, ...command.options });
    const values: Values = { ...globals, ...(parsed.values as Values) };
    if (values.help) {
      io.out(commandHelp(command));
      return 0;
    }
    json = values.json === true;
    const { min, max } = command.positionals;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      const want = command.args || "no arguments";
      throw new CliError(`optout ${command.name} takes ${want}; see \`optout ${command.name} --help\``, EXIT_USAGE);
    }
    let client: RegistryClient | undefined;
    const ctx: Context = {
      values,
      json,
      registry: () => (client ??= new RegistryClient(str(values, "registry") ?? process.env.OPTOUT_REGISTRY ?? DEFAULT_REGISTRY)),
      keyPath: () => str(values, "key") ?? process.env.OPTOUT_KEY ?? defaultKeyPath(),
      out: io.out,
      err: io.err,
    };
    return await command.run(ctx, parsed.positionals);
  } catch (e) {
    if (e instanceof ProblemError) {
      if (json) io.out(JSON.stringify(e.problem, null, 2));
      io.err(`optout: ${formatProblem(e.problem, e.httpStatus)}`);
      return e.exitCode;
    }
    if (e instanceof CliError) {
      io.err(`optout: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}
