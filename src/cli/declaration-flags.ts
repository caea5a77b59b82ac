/**
 * The flags that say what a declaration covers and what it asks (`declare`, `update`), read into
 * SubjectAndTerms. Everything is checked before any slow work; a --file is hashed last, by `withFile`.
 */
import type { Context } from "./command";
import { preferencesFromFlags, type SubjectAndTerms } from "./declaration";
import { CliError, EXIT_USAGE } from "./errors";
import type { FlagValues } from "./flags";
import { IDENTIFIER_KINDS, IdentifierError, normalizeIdentifier, type IdentifierKind } from "../domain/work-identifier";

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
  isrc: { type: "string", multiple: true, value: "ISRC", help: "a recording's ISRC, e.g. US-RC1-76-07839 (repeatable, as for every identifier)" },
  iswc: { type: "string", multiple: true, value: "ISWC", help: "a musical work's ISWC, e.g. T-034.524.680-1" },
  isni: { type: "string", multiple: true, value: "ISNI", help: "a party's ISNI (or ORCID iD), e.g. 0000 0001 2103 2683" },
  isbn: { type: "string", multiple: true, value: "ISBN", help: "a book's ISBN-13 or ISBN-10 (declared as its ISBN-13)" },
  doi: { type: "string", multiple: true, value: "DOI", help: "a DOI, e.g. 10.1000/182 or https://doi.org/10.1000/182" },
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
  const identifiers = identifiersFromFlags(v);
  if (identifiers) terms.identifiers = identifiers;
  if (v.name !== undefined) terms.name = v.name;
  if (v.policy !== undefined) terms.policy = v.policy;
  return v.file !== undefined ? { terms, file: v.file } : { terms };
}

/**
 * --isrc, --iswc, --isni, --isbn, --doi in any usual spelling, normalized to the canonical form a
 * declaration carries (src/domain/work-identifier.ts); a bad one is a usage error naming its flag.
 */
export function identifiersFromFlags(v: Partial<Record<IdentifierKind, string[] | undefined>>): Partial<Record<IdentifierKind, string[]>> | undefined {
  const out: Partial<Record<IdentifierKind, string[]>> = {};
  for (const kind of IDENTIFIER_KINDS) {
    const given = v[kind];
    if (!given?.length) continue;
    out[kind] = [
      ...new Set(
        given.map((raw) => {
          try {
            return normalizeIdentifier(kind, raw);
          } catch (e) {
            if (e instanceof IdentifierError) throw new CliError(`--${kind} ${raw}: ${e.message}`, EXIT_USAGE);
            throw e;
          }
        }),
      ),
    ];
  }
  return Object.keys(out).length ? out : undefined;
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
