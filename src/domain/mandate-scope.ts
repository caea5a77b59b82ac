/**
 * What a mandate lets its agent declare, and whether a declaration stays within it. A declaration
 * is covered only when every one of its subjects is: an agent that adds one URL outside its
 * mandate speaks for the member on nothing (the declaration is agent-asserted, never partly
 * mandated). Pure: no I/O.
 *
 * - `all`: every subject.
 * - `urls`: URL patterns, as declarations write them. A declared pattern is covered when a scope
 *   pattern covers every URL it can match: an exact URL or a prefix under a scope prefix (scheme
 *   ignored, as in lookups), any pattern on a host within a scope host pattern, an exact URL equal
 *   to a scope URL.
 * - `iscc`: the member's works as ISCC-CODEs or units. A declared unit is covered by a scope unit
 *   of the same type with the same body (on their common prefix, as instance units match); a
 *   declared datahash by a scope Instance-Code whose body it starts with (its first 64 bits are
 *   the Instance-Code body). Similar but unequal codes are not covered: a mandate names works, it
 *   does not extend to whatever resembles them.
 * - `identifiers`: work identifiers (ISRC, ISWC, ISNI, ISBN, DOI) by kind, canonical, as
 *   declarations write them; a declared identifier is covered by the same one.
 */
import { MainType } from "../iscc/index";
import type { UnitSubject } from "./declaration";
import { hostIsWithin } from "./did-web";
import { matchKey } from "./url-normalize";
import type { UrlPattern } from "./url-pattern";

export interface MandateScope {
  all: boolean;
  urls: UrlPattern[];
  units: Pick<UnitSubject, "unitType" | "maintype" | "bodyHex">[];
  /** Work identifiers as `kind:value`, canonical (identifierKey). */
  identifiers: string[];
}

/** The subjects of a declaration, as coverage needs them. */
export interface ScopedSubjects {
  urls: readonly UrlPattern[];
  units: readonly Pick<UnitSubject, "unitType" | "bodyHex">[];
  datahash: string | null;
  /** Work identifiers as `kind:value`, canonical; absent: none. */
  identifiers?: readonly string[];
}

export function scopeCovers(scope: MandateScope, s: ScopedSubjects): boolean {
  if (scope.all) return true;
  return (
    s.urls.every((u) => scope.urls.some((p) => patternWithin(u, p))) &&
    s.units.every((u) => scope.units.some((p) => p.unitType === u.unitType && samePrefix(p.bodyHex, u.bodyHex))) &&
    (s.datahash === null || scope.units.some((p) => p.maintype === MainType.INSTANCE && s.datahash!.slice(4).startsWith(p.bodyHex))) &&
    (s.identifiers ?? []).every((id) => scope.identifiers.includes(id))
  );
}

/** Whether every URL `inner` can match is matched by `outer`. */
export function patternWithin(inner: UrlPattern, outer: UrlPattern): boolean {
  switch (outer.kind) {
    case "host":
      return hostIsWithin(inner.host, outer.host);
    case "prefix": {
      const key = matchKey(outer.prefix!);
      if (inner.kind === "exact") return matchKey(inner.pattern).startsWith(key);
      if (inner.kind === "prefix") return matchKey(inner.prefix!).startsWith(key);
      return false;
    }
    case "exact":
      return inner.kind === "exact" && matchKey(inner.pattern) === matchKey(outer.pattern);
  }
}

function samePrefix(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n);
}
