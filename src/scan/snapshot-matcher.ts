/**
 * `optout scan --snapshot DIR`: matching on this machine against the registry's signed snapshots. Content:
 * the units snapshot (src/snapshot/units-snapshot.ts) in an exact multi-index (src/similarity/bands.ts: four
 * 16-bit bands probed within radii that guarantee every unit within `maxDistance` bits is found, then the
 * exact 64-bit distance), instance units also against declared datahashes — what POST /v1/match does, with
 * the same recall. URLs: the URL snapshot rules out undeclared URLs locally; the few it cannot rule out go to
 * the registry (`fallback`), as `optout lookup --snapshot` does.
 */
import { decompose, encodeUnit, IsccError, MainType } from "../iscc/index";
import { BAND_BITS, BANDS, bandMasks, bandRadii, DEFAULT_MAX_DISTANCE } from "../similarity/bands";
import type { UnitsSnapshot } from "../snapshot/units-snapshot";
import type { Found, Matcher } from "./registry-matcher";
import type { ItemMatch } from "./verdict";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** Popcount of a 32-bit value. */
function pop32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const word = (b: Uint8Array, i: number) => (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) | 0;

/**
 * The declared units of one type: their first 64 bits as two 32-bit columns, and per band a counting-sort
 * index (ids of band value v are ids[off[v]..off[v+1])), built on first search. A type with fewer units than
 * a search would probe band values is compared unit by unit instead: same hits, less work.
 */
class TypeIndex {
  private hi: number[] = [];
  private lo: number[] = [];
  readonly bodies: Uint8Array[] = [];
  readonly decls: number[] = [];
  private bands: { off: Uint32Array; ids: Uint32Array }[] | null = null;
  private stamp = new Uint32Array(0);
  private round = 0;

  add(body: Uint8Array, declaration: number) {
    this.hi.push(word(body, 0));
    this.lo.push(word(body, 4));
    this.bodies.push(body);
    this.decls.push(declaration);
    this.bands = null;
  }

  private build() {
    const n = this.hi.length;
    const bands = [];
    for (let b = 0; b < BANDS; b++) {
      const value = (i: number) => (b < 2 ? this.hi[i]! >>> (16 * (1 - b)) : this.lo[i]! >>> (16 * (3 - b))) & 0xffff;
      const off = new Uint32Array((1 << BAND_BITS) + 1);
      for (let i = 0; i < n; i++) off[value(i) + 1]!++;
      for (let v = 0; v < 1 << BAND_BITS; v++) off[v + 1]! += off[v]!;
      const ids = new Uint32Array(n);
      const fill = off.slice(0, -1);
      for (let i = 0; i < n; i++) ids[fill[value(i)]!++] = i;
      bands.push({ off, ids });
    }
    this.stamp = new Uint32Array(n);
    this.round = 0;
    return (this.bands = bands);
  }

  search(body: Uint8Array, maxDistance: number): { i: number; distance: number }[] {
    const qhi = word(body, 0);
    const qlo = word(body, 4);
    const hi = this.hi;
    const lo = this.lo;
    const hits: { i: number; distance: number }[] = [];
    const radii = bandRadii(maxDistance);
    const probes = radii.reduce((s, r) => s + bandMasks(r).length, 0);
    if (hi.length <= probes) {
      for (let i = 0; i < hi.length; i++) {
        const d = pop32(hi[i]! ^ qhi) + pop32(lo[i]! ^ qlo);
        if (d <= maxDistance) hits.push({ i, distance: d });
      }
      return hits;
    }
    const bands = this.bands ?? this.build();
    if (++this.round === 0xffffffff) this.stamp.fill(0), (this.round = 1);
    const stamp = this.stamp;
    const round = this.round;
    for (let b = 0; b < BANDS; b++) {
      const v = (b < 2 ? qhi >>> (16 * (1 - b)) : qlo >>> (16 * (3 - b))) & 0xffff;
      const { off, ids } = bands[b]!;
      for (const m of bandMasks(radii[b]!)) {
        const x = v ^ m;
        for (let k = off[x]!, end = off[x + 1]!; k < end; k++) {
          const i = ids[k]!;
          if (stamp[i] === round) continue;
          stamp[i] = round;
          const d = pop32(hi[i]! ^ qhi) + pop32(lo[i]! ^ qlo);
          if (d <= maxDistance) hits.push({ i, distance: d });
        }
      }
    }
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
    return this.find(iscc);
  }

  /** What matchCode answers, synchronously. */
  find(iscc: string): Found {
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
