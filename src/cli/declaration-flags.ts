/**
 * The flags that say what a declaration covers and what it asks (`declare`, `update`), read into
 * SubjectAndTerms. Everything is checked before any slow work; a --file is hashed last, by `withFile`.
 */
import type { Context } from "./command";
import { preferencesFromFlags, type SubjectAndTerms } from "./declaration";
import { CliError, EXIT_USAGE } from "./errors";
import type { FlagValues } from "./flags";

export const CONTROLLER_FLAG = {
  type: "string",
  value: "DID",
  help: "did:web:HOST that lists your key (overrides the key file)",
} as const;

export const DECLARATION_FLAGS = {
  iscc: { type: "string", value: "CODE", help: "an ISCC-CODE or a single ISCC unit" },
  file: { type: "string", value: "PATH", help: "compute the ISCC-CODE and datahash of a local file" },
  datahash: { type: "string", value: "HASH", help: "BLAKE3 multihash of the file: 1e20 + 64 hex digits" },
  url: { type: "string", multiple: true, value: "PATTERN", help: "URL, path prefix ending in * or https://*.host/* (repeatable)" },
  "train-ai": { type: "string", value: "y|n", help: "training generative AI models (default when no preference is given: n)" },
  "ai-use": { type: "string", value: "y|n", help: "input to a generative AI model while it runs, e.g. retrieval (draft category: draft-ai-use)" },
  search: { type: "string", value: "y|n", help: "search indexing with links to the work" },
  all: { type: "string", value: "y|n", help: "every use above, unless its own flag says otherwise" },
  name: { type: "string", value: "TEXT", help: "a title for the work" },
  policy: { type: "string", value: "URL", help: "where to read your licensing terms" },
  controller: CONTROLLER_FLAG,
} as const;

export interface DeclarationFlags {
  terms: SubjectAndTerms;
  /** A file still to be hashed into `terms.iscc` and `terms.datahash`. */
  file?: string;
}

export function termsFromFlags(v: FlagValues<typeof DECLARATION_FLAGS>): DeclarationFlags {
  const terms: SubjectAndTerms = { preferences: preferencesFromFlags(v) };
  if (v.iscc !== undefined && v.file !== undefined) throw new CliError("give --iscc or --file, not both", EXIT_USAGE);
  if (v.iscc !== undefined) terms.iscc = v.iscc;
  if (v.datahash !== undefined) terms.datahash = v.datahash;
  if (v.url?.length) terms.urls = v.url;
  if (v.name !== undefined) terms.name = v.name;
  if (v.policy !== undefined) terms.policy = v.policy;
  return v.file !== undefined ? { terms, file: v.file } : { terms };
}

/** Hashes the --file, if any, into the terms; says on stderr which ISCC units it could compute. */
export async function withFile(ctx: Context, { terms, file }: DeclarationFlags): Promise<SubjectAndTerms> {
  if (file === undefined) return terms;
  // Loaded on demand: the image decoders are only needed here, and every other command starts faster without them.
  const { isccOfFile, FileIsccError } = await import("../media/file-iscc");
  const { enableFastBlake3 } = await import("../iscc/index");
  await enableFastBlake3();
  const computed = await isccOfFile(file).catch((e: unknown) => {
    throw e instanceof FileIsccError ? new CliError(`--file ${e.message}`) : e;
  });
  if (terms.datahash !== undefined && terms.datahash !== computed.datahash) {
    throw new CliError(`--datahash ${terms.datahash} is not the datahash of ${file} (${computed.datahash})`, EXIT_USAGE);
  }
  if (!ctx.json) {
    const n = computed.notComputed;
    const how = n
      ? `${n.unit} not computed: ${n.reason}${n.install ? ` — install: ${n.install}` : ""}; Data- and Instance-Code only`
      : computed.kind === "binary"
        ? `no Content-Code for ${computed.mediatype}: Data- and Instance-Code only`
        : `${computed.kind} Content-Code, Data- and Instance-Code`;
    ctx.err(`${file}: ${computed.iscc} (${computed.filesize} bytes; ${how})`);
  }
  return { ...terms, iscc: computed.iscc, datahash: computed.datahash };
}
