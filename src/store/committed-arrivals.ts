import { claimsOfRows, type Claim } from "./conflict-detection";
import type { RegistrationRows } from "./registrations";

/** A record as conflict detection takes it from its range of seqs. */
export interface Arrival {
  seq: number;
  id: string;
  kind: "declaration" | "mandate";
  supersedes: string | null;
}

/**
 * At most this many records are held; past it everything held is dropped and detection reads
 * back from D1 (a pass takes at most 2,000 records, and passes follow the commits within a second).
 */
const MOST_HELD = 10_000;

/**
 * The records the sequencer committed and conflict detection has not yet passed: the very rows
 * the commit wrote to D1 (registrationRows), from which a detection pass builds their claims with
 * the function that builds them from rows read back (claimsOfRows), so it reads nothing back. The
 * claims are built when detection asks, beside the commits, not in their turn.
 * Only what is known committed is held, and only a gapless run of seqs (observations take seqs
 * too: they are held as seqs without a record); whatever detection asks outside that run it reads
 * from D1, as after a restart, when nothing is held.
 */
export class CommittedArrivals {
  /** The groups' rows, in seq order. */
  private groups: { last: number; rows: RegistrationRows }[] = [];
  private held = 0;
  /** Every seq in (after, upTo] is held (as a record, or as an observation's seq). */
  private after = 0;
  private upTo = 0;

  /** A group's rows are in D1. */
  committed(rows: RegistrationRows): void {
    const decls = rows.declarations;
    if (!decls.length) return;
    const first = decls[0]!.seq;
    const last = decls[decls.length - 1]!.seq;
    const gapless = first === this.upTo + 1 && last - first + 1 === decls.length;
    if (!gapless || this.held + decls.length > MOST_HELD) this.restart(first - 1);
    this.groups.push({ last, rows });
    this.held += decls.length;
    this.upTo = last;
  }

  /** An observation took `seq` (it is in D1): detection has nothing to take from it. */
  observed(seq: number): void {
    if (seq !== this.upTo + 1) this.restart(seq - 1);
    this.upTo = seq;
  }

  /** The records in (from, to] and their claims (declarations only), or null when not all are held. */
  range(from: number, to: number): { arrived: Arrival[]; claims: Claim[] } | null {
    if (from < this.after || to > this.upTo) return null;
    const rows = this.rowsOf((seq) => seq > from && seq <= to);
    const arrived = rows.declarations.map((d): Arrival => ({ seq: d.seq, id: d.id, kind: d.kind, supersedes: d.supersedes }));
    return { arrived, claims: claimsOf(rows) };
  }

  /** The claims of the held records among `seqs` (a mandate has none), and the seqs not held. */
  claims(seqs: readonly number[]): { claims: Claim[]; missing: number[] } {
    const wanted = new Set(seqs.filter((seq) => seq > this.after && seq <= this.upTo));
    const missing = seqs.filter((seq) => !wanted.has(seq));
    return { claims: wanted.size ? claimsOf(this.rowsOf((seq) => wanted.has(seq))) : [], missing };
  }

  /** Detection has passed `seq`: what lies at or before it is no longer needed. */
  passed(seq: number): void {
    if (seq >= this.upTo) return this.restart(this.upTo);
    if (seq <= this.after) return;
    while (this.groups.length && this.groups[0]!.last <= seq) this.held -= this.groups.shift()!.rows.declarations.length;
    this.after = seq;
  }

  /** The held rows of the records whose seq passes `take`, each table's in seq order. */
  private rowsOf(take: (seq: number) => boolean): RegistrationRows {
    const bySeq = <R extends { seq: number }>(table: (r: RegistrationRows) => R[]) => this.groups.flatMap((g) => table(g.rows).filter((r) => take(r.seq)));
    return {
      declarations: bySeq((r) => r.declarations),
      urlRules: bySeq((r) => r.urlRules),
      isccUnits: bySeq((r) => r.isccUnits),
      datahashes: bySeq((r) => r.datahashes),
      workIdentifiers: bySeq((r) => r.workIdentifiers),
      mandates: bySeq((r) => r.mandates),
    };
  }

  private restart(after: number): void {
    this.groups = [];
    this.held = 0;
    this.after = this.upTo = after;
  }
}

/** Claims are of declarations (a mandate's row in `declarations` has none), as loadClaims reads them. */
function claimsOf(rows: RegistrationRows): Claim[] {
  return claimsOfRows({ ...rows, declarations: rows.declarations.filter((d) => d.kind === "declaration") });
}
