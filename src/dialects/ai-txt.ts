/**
 * Spawning's ai.txt (spawning.ai/ai-txt, May 2023): a file at the site root, in robots.txt syntax
 * (`User-Agent`, `Allow`, `Disallow`), read when a site's media is gathered for AI training rather
 * than when pages are crawled. Spawning's generator writes file-type patterns (`Disallow: *.jpg`)
 * beside paths; both are RFC 9309 patterns, so this module parses and matches with robots-txt.ts.
 *
 * Into the vocabulary: the longest-matching rule for the user agent's group says whether the
 * resource may be used to train AI models — Disallow → train-ai=n, Allow → train-ai=y; no matching
 * rule states nothing. ai.txt speaks of no other use.
 */
import { unknownPreferences, type ResolvedPreferences } from "../domain/preferences";
import { decisiveRule, matchTarget, parseRobotsTxt, rulesFor, serializeRobotsTxt, type RobotsTxt } from "./robots-txt";

export type AiTxt = RobotsTxt;

export const parseAiTxt = parseRobotsTxt;

export function serializeAiTxt(a: Pick<AiTxt, "groups">): string {
  return "# ai.txt (Spawning): whether media here may be used to train AI models\n" + serializeRobotsTxt({ groups: a.groups, licenses: [], sitemaps: [] });
}

export interface AiTxtReading {
  preferences: ResolvedPreferences;
  /** The decisive rule, as written, or null. */
  rule: string | null;
}

export function aiTxtPreferencesFor(a: AiTxt, url: URL, productToken: string): AiTxtReading {
  const rule = decisiveRule(rulesFor(a, productToken), matchTarget(url));
  const p = unknownPreferences();
  if (!rule) return { preferences: p, rule: null };
  p["train-ai"] = rule.kind === "allow" ? "y" : "n";
  return { preferences: p, rule: `${rule.kind === "allow" ? "Allow" : "Disallow"}: ${rule.path}` };
}
