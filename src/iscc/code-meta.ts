import { blake3 } from "./blake3.js";
import { encodeUnit } from "./codec.js";
import { encodeBase64 } from "../encoding/base64.js";
import { decodeDataUrl } from "./data-url.js";
import { IsccError } from "./errors.js";
import { MainType, ST_NONE } from "./header.js";
import { toHex } from "./hex.js";
import { canonicalize, CanonicalJsonError } from "../encoding/canonical-json.js";
import { simhash } from "./simhash.js";
import { pyStrip, textClean, textCollapse, textRemoveNewlines, textTrim, utf8WithOffsets } from "./text.js";

const TRIM_NAME = 128;
const TRIM_DESCRIPTION = 4096;
const TRIM_META = 128_000;
const NGRAM_TEXT = 3;
const NGRAM_BYTES = 4;

export interface MetaCodeResult {
  iscc: string;
  name?: string;
  description?: string;
  meta?: string;
  metahash: string;
}

const encoder = new TextEncoder();

/** "1e20" (BLAKE3 multihash prefix, 32 bytes) + hex digest. */
export function multihashBlake3(data: Uint8Array): string {
  return "1e20" + toHex(blake3(data));
}

/** Simhash of the BLAKE3 digests of every `width`-code-point window (one window if shorter). */
function textFeatureHash(text: string, width: number): Uint8Array {
  const { bytes, offsets } = utf8WithOffsets(text);
  const chars = offsets.length - 1;
  const windows = Math.max(chars - width + 1, 1);
  const digests: Uint8Array[] = [];
  for (let i = 0; i < windows; i++) {
    digests.push(blake3(bytes.subarray(offsets[i]!, offsets[Math.min(i + width, chars)]!)));
  }
  return simhash(digests);
}

function bytesFeatureHash(data: Uint8Array, width: number): Uint8Array {
  const windows = Math.max(data.length - width + 1, 1);
  const digests: Uint8Array[] = [];
  for (let i = 0; i < windows; i++) digests.push(blake3(data.subarray(i, i + width)));
  return simhash(digests);
}

/** 256-bit Meta-Code digest; with `extra`, name and extra hashes are interleaved in 32-bit chunks. */
export function softHashMetaV0(name: string, extra?: string | Uint8Array | null): Uint8Array {
  const nameHash = textFeatureHash(textCollapse(name), NGRAM_TEXT);
  if (extra === undefined || extra === null || extra.length === 0) return nameHash;
  const extraHash =
    typeof extra === "string" ? textFeatureHash(textCollapse(extra), NGRAM_TEXT) : bytesFeatureHash(extra, NGRAM_BYTES);
  const out = new Uint8Array(32);
  for (let i = 0; i < 4; i++) {
    out.set(nameHash.subarray(i * 4, i * 4 + 4), i * 8);
    out.set(extraHash.subarray(i * 4, i * 4 + 4), i * 8 + 4);
  }
  return out;
}

/** gen_meta_code_v0(name, description, meta, bits). `meta` is a JSON object (hashed via JCS) or a data: URL. */
export function genMetaCodeV0(
  name: string | null | undefined,
  description?: string | null,
  meta?: Record<string, unknown> | string | null,
  bits = 64,
): MetaCodeResult {
  const cleanName = textTrim(textRemoveNewlines(textClean(name ?? "")), TRIM_NAME);
  if (!cleanName) throw new IsccError("Meta-Code requires non-empty name element (after normalization)");
  const cleanDescription = textTrim(textClean(description ?? ""), TRIM_DESCRIPTION);

  let digest: Uint8Array;
  let metahash: string;
  let metaValue: string | undefined;
  const hasMeta = typeof meta === "string" ? meta.length > 0 : meta != null && Object.keys(meta).length > 0;
  if (hasMeta) {
    let payload: Uint8Array;
    if (typeof meta === "string") {
      payload = decodeDataUrl(meta);
      metaValue = meta;
    } else if (meta !== null && typeof meta === "object" && !Array.isArray(meta)) {
      try {
        payload = encoder.encode(canonicalize(meta));
      } catch (e) {
        if (e instanceof CanonicalJsonError) throw new IsccError(`metadata is not canonicalizable JSON: ${e.message}`);
        throw e;
      }
      const mediaType = "@context" in meta ? "application/ld+json" : "application/json";
      metaValue = `data:${mediaType};base64,${encodeBase64(payload)}`;
    } else {
      throw new IsccError(`meta must be a data: URL string or a JSON object, not ${Array.isArray(meta) ? "an array" : typeof meta}`);
    }
    if (payload.length > TRIM_META) {
      throw new IsccError(`meta payload size (${payload.length} bytes) exceeds META_TRIM_META (${TRIM_META} bytes)`);
    }
    digest = softHashMetaV0(cleanName, payload);
    metahash = multihashBlake3(payload);
  } else {
    digest = softHashMetaV0(cleanName, cleanDescription);
    metahash = multihashBlake3(encoder.encode(pyStrip(`${cleanName} ${cleanDescription}`)));
  }
  // Key order as iscc-core builds its dict.
  const result = { iscc: encodeUnit(MainType.META, ST_NONE, 0, bits, digest), name: cleanName } as MetaCodeResult;
  if (cleanDescription) result.description = cleanDescription;
  if (metaValue) result.meta = metaValue;
  result.metahash = metahash;
  return result;
}
