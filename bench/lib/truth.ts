/**
 * Ground truth for the match benchmark: every seeded unit, kept in the bench process, searched by
 * brute force (every unit of the query's type, Hamming distance over the first 64 bits).
 */
import { decompose, MainType } from "../../src/iscc/index";

const POP = new Uint8Array(65536);
for (let i = 1; i < 65536; i++) POP[i] = (i & 1) + POP[i >> 1]!;
const pop32 = (x: number) => POP[x & 0xffff]! + POP[x >>> 16]!;

class TypeColumn {
  seq: number[] = [];
  code: string[] = [];
  hi: number[] = [];
  lo: number[] = [];
}

const hex32 = (hex: string, at: number) => parseInt(hex.slice(at, at + 8).padEnd(8, "0"), 16) | 0;

export interface DeclaredCode {
  meta: Uint8Array;
  content: Uint8Array;
  data: Uint8Array;
  instance: Uint8Array;
  contentSubtype: number;
}

const CONTENT_SUBTYPE: Record<string, number> = { TEXT: 0, IMAGE: 1, AUDIO: 2, VIDEO: 3, MIXED: 4 };

export class UnitTable {
  private byType = new Map<string, TypeColumn>();
  private bySeq = new Map<number, Partial<DeclaredCode>>();
  size = 0;

  add(seq: number, unitType: string, code: string, bodyHex: string): void {
    let col = this.byType.get(unitType);
    if (!col) this.byType.set(unitType, (col = new TypeColumn()));
    col.seq.push(seq);
    col.code.push(code);
    col.hi.push(hex32(bodyHex, 0));
    col.lo.push(hex32(bodyHex, 8));
    this.size++;
    const body = Uint8Array.from(bodyHex.slice(0, 16).match(/../g)!, (h) => parseInt(h, 16));
    const d = this.bySeq.get(seq) ?? {};
    const [main, sub] = unitType.split("-");
    if (main === "META") d.meta = body;
    else if (main === "CONTENT") {
      d.content = body;
      d.contentSubtype = CONTENT_SUBTYPE[sub!]!;
    } else if (main === "DATA") d.data = body;
    else if (main === "INSTANCE") d.instance = body;
    this.bySeq.set(seq, d);
  }

  /** Unit bodies of the declared ISCC-CODEs with seq ≤ maxSeq (to make near-duplicates of). */
  codesOfSeqsUpTo(maxSeq: number): DeclaredCode[] {
    return [...this.bySeq].filter(([s]) => s <= maxSeq).map(([, d]) => d as DeclaredCode);
  }

  column(unitType: string): TypeColumn | undefined {
    return this.byType.get(unitType);
  }
}

/** Per query code, the set of `seq|declared unit code|distance` within maxDistance (instance: equal). */
export function bruteForceHits(table: UnitTable, codes: string[], maxDistance: number): Set<string>[] {
  return codes.map((c) => {
    const out = new Set<string>();
    for (const u of decompose(c)) {
      const col = table.column(u.typeName);
      if (!col) continue;
      const b = u.body;
      const qhi = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) | 0;
      const qlo = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) | 0;
      const exact = u.maintype === MainType.INSTANCE;
      for (let i = 0; i < col.hi.length; i++) {
        const d = pop32(col.hi[i]! ^ qhi) + pop32(col.lo[i]! ^ qlo);
        if (exact ? d === 0 : d <= maxDistance) out.add(`${col.seq[i]}|${col.code[i]}|${d}`);
      }
    }
    return out;
  });
}
