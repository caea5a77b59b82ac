/**
 * `optout scan --snapshot DIR`: matching on this machine against the registry's signed snapshots. Content:
 * the units snapshot (src/snapshot/units-snapshot.ts) in an exact multi-index (src/similarity/bands.ts: four
 * 16-bit bands probed within radii that guarantee every unit within `maxDistance` bits is found, then the
 * exact 64-bit distance), instance units also against declared datahashes — what POST /v1/match does, with
 * the same recall. URLs: the URL snapshot rules out undeclared URLs locally; the few it cannot rule out go to
 * the registry (`fallback`), as `optout lookup --snapshot` does.
 */
import { decompose, encodeUnit, IsccError, MainType } from "../iscc/index";
import { bandMasks, bandRadii, bandsOf, DEFAULT_MAX_DISTANCE, distance64 } from "../similarity/bands";
import type { UnitsSnapshot } from "../snapshot/units-snapshot";
import type { Found, Matcher } from "./registry-matcher";
import type { ItemMatch } from "./verdict";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

class TypeIndex {
  bodies: Uint8Array[] = [];
  decls: number[] = [];
  bands = [new Map<number, number[]>(), new Map<number, number[]>(), new Map<number, number[]>(), new Map<number, number[]>()];

  add(body: Uint8Array, declaration: number) {
    const i = this.bodies.length;
    this.bodies.push(body);
    this.decls.push(declaration);
    bandsOf(body).forEach((v, b) => {
      const list = this.bands[b]!.get(v);
      if (list) list.push(i);
      else this.bands[b]!.set(v, [i]);
    });
  }

  search(body: Uint8Array, maxDistance: number): { i: number; distance: number }[] {
    const radii = bandRadii(maxDistance);
    const seen = new Set<number>();
    const hits: { i: number; distance: number }[] = [];
    bandsOf(body).forEach((v, b) => {
      for (const m of bandMasks(radii[b]!)) {
        for (const i of this.bands[b]!.get(v ^ m) ?? []) {
          if (seen.has(i)) continue;
          seen.add(i);
          const d = distance64(body, this.bodies[i]!);
          if (d <= maxDistance) hits.push({ i, distance: d });
        }
      }
    });
    return hits;
  }
}

/** Content and URLs; the snapshots hold no identifiers, so offline-matcher.ts sends those to the registry. */
export class SnapshotMatcher implements Omit<Matcher, "lookupIdentifier"> {
  private types = new Map<string, TypeIndex>();
  private datahashes = new Map<string, { declaration: number; digest: Uint8Array }[]>();

  constructor(
    private readonly snap: UnitsSnapshot,
    private readonly urls: (url: string) => Promise<Found>,
    private readonly maxDistance = DEFAULT_MAX_DISTANCE,
  ) {
    for (const u of snap.units) {
      let t = this.types.get(u.unitType);
      if (!t) this.types.set(u.unitType, (t = new TypeIndex()));
      t.add(u.body, u.declaration);
    }
    for (const h of snap.datahashes) {
      const key = hex(h.digest.subarray(0, 8));
      const list = this.datahashes.get(key);
      if (list) list.push(h);
      else this.datahashes.set(key, [h]);
    }
  }

  get requests() {
    return 0;
  }

  async matchCode(iscc: string): Promise<Found> {
    let units;
    try {
      units = decompose(iscc);
    } catch (e) {
      if (e instanceof IsccError) return { error: e.message };
      throw e;
    }
    const byDecl = new Map<number, ItemMatch>();
    const hit = (d: number, matched: ItemMatch["matched"][number]) => {
      const decl = this.snap.declarations[d]!;
      const m = byDecl.get(d) ?? { declaration: decl.id, matched: [], trust: decl.controllerVerified ? "controller-verified" : "self-asserted", vocabulary: decl.vocabulary, preferences: decl.preferences };
      m.matched.push(matched);
      byDecl.set(d, m);
    };
    for (const u of units) {
      if (u.maintype === MainType.META) continue; // a meta unit alone does not decide
      const exact = u.maintype === MainType.INSTANCE;
      const index = this.types.get(u.typeName);
      const found = new Set<number>();
      for (const h of index?.search(u.body, exact ? 0 : this.maxDistance) ?? []) {
        found.add(index!.decls[h.i]!);
        const declared = encodeUnit(u.maintype, u.subtype, u.version, 64, index!.bodies[h.i]!);
        hit(index!.decls[h.i]!, { by: "iscc", unit_type: u.typeName, declared, distance: h.distance });
      }
      if (exact) {
        for (const h of this.datahashes.get(hex(u.body.subarray(0, 8))) ?? []) {
          if (!found.has(h.declaration)) hit(h.declaration, { by: "datahash", declared: `1e20${hex(h.digest)}` });
        }
      }
    }
    return { matches: [...byDecl.values()] };
  }

  lookupUrl(url: string): Promise<Found> {
    return this.urls(url);
  }

  async flush(): Promise<void> {}
}
