/**
 * How one set of current-vocabulary preferences reads in every dialect a crawler may speak, each
 * value written by that dialect's own writer: what GET /v1/lookup returns in `dialects`, and the
 * `tdm-reservation`/`tdm-policy` headers it sends. A dialect that cannot say the preferences gets
 * null (TDMRep reserves all text and data mining or nothing; PLUS terms are a fixed list).
 */
import type { ResolvedPreferences } from "../domain/preferences";
import { writeContentSignal } from "./content-signal";
import { writeContentUsage } from "./content-usage";
import { RSL_TOKEN } from "./rsl";
import { reservationFor } from "./tdmrep";
import { dataMiningTermFor, PLUS_VOCAB } from "./xmp";

export interface DialectMap {
  "content-usage": string;
  "content-signal": string;
  "tdm-reservation": 1 | 0 | null;
  "tdm-policy": string | null;
  /** The usage tokens an RSL license would prohibit. */
  "rsl-prohibits": string[];
  "ai-txt": "Allow" | "Disallow" | null;
  "iptc-data-mining": string | null;
  "cawg-training-mining": Record<string, "allowed" | "notAllowed">;
}

export function dialectsFor(p: ResolvedPreferences, policy: string | null): DialectMap {
  const reservation = reservationFor(p);
  const term = dataMiningTermFor(p);
  const cawg: Record<string, "allowed" | "notAllowed"> = {};
  if (p["train-ai"] !== "unknown") cawg["cawg.ai_generative_training"] = p["train-ai"] === "y" ? "allowed" : "notAllowed";
  if (p["draft-ai-use"] !== "unknown") cawg["cawg.ai_inference"] = p["draft-ai-use"] === "y" ? "allowed" : "notAllowed";
  return {
    "content-usage": writeContentUsage(p),
    "content-signal": writeContentSignal(p),
    "tdm-reservation": reservation,
    "tdm-policy": reservation === 1 ? policy : null,
    "rsl-prohibits": (Object.entries(RSL_TOKEN) as [keyof ResolvedPreferences, string][]).filter(([c]) => p[c] === "n").map(([, t]) => t),
    "ai-txt": p["train-ai"] === "n" ? "Disallow" : p["train-ai"] === "y" ? "Allow" : null,
    "iptc-data-mining": term === null || term === "DMI-UNSPECIFIED" ? null : PLUS_VOCAB + term,
    "cawg-training-mining": cawg,
  };
}
