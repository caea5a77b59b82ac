/**
 * What the sequencer decides, as pure functions of plain data (no I/O): idempotency by digest, the
 * ids and seqs it hands out, who may supersede what, the statuses that follow, and the refusals.
 * The Durable Object (src/durable/sequencer.ts) reads what a group needs from D1, calls planGroup,
 * and writes the plan; everything that can be decided without storage is decided here.
 *
 * Statuses are a function of the SET of declarations, never of their arrival order: a declaration
 * is revoked when some revoke that may act on it names it, else superseded when some update that
 * may act on it names it, else active (statusOf). Peers deliver in any order, so a peer's update or
 * revoke is never refused for what is or is not stored yet: one that arrives before its target
 * waits and acts when the target arrives, and one that may not act on its target (another key, or
 * a revocation as target) is kept and acts on nothing. Local submissions are first registrations:
 * they are refused (404/403/409) when they could not act, so a registry never issues a receipt for
 * a supersession that does nothing.
 *
 * Mandates (README, "Mandates") are sequenced the same way, as records of kind `mandate`: a revoke
 * acts only on a record of its own kind, and a mandate may also be revoked by the agent it names;
 * a declaration an agent made for a member may also be updated or revoked by that member
 * (`alsoBy`). Both are plain signed data, so every registry decides them alike.
 */
import { genIsccIdV1, parseIsccIdV1 } from "../iscc/index";
import type { ProblemSlug } from "../http/problem-types";
import type { FieldError } from "./field-error";
import { sameRegistryName } from "./registry-name";

export type Intent = "activate" | "update" | "revoke";
export type Status = "active" | "superseded" | "revoked";

/** Who signed a declaration, as the supersession rule sees it. `controllerVerified` is plain data: where it comes from is the caller's business. */
export interface Signer {
  declarant: string;
  controller: string | null;
  controllerVerified: boolean;
}

/** What the sequencer orders: declarations, and the mandates agents declare under. */
export type RecordKind = "declaration" | "mandate";

/** A declaration (or a mandate) as the decisions see it. */
export interface Facts extends Signer {
  id: string;
  intent: Intent;
  supersedes: string | null;
  /** Absent means a declaration. */
  kind?: RecordKind;
  /**
   * Who else may act on it, a key or a did:web: the agent a mandate names (either side may revoke
   * it), the member an agent's declaration is for. Null or absent: only its declarant.
   */
  alsoBy?: string | null;
}

/** A declaration already stored, with what it has become. */
export interface StoredFacts extends Facts {
  seq: number;
  digest: string;
  status: Status;
}

/** A refusal, as the HTTP edge turns it into a problem. */
export interface Refusal {
  status: 403 | 404 | 409 | 422;
  /** A slug of the problem catalogue (src/http/problem-types.ts: a pure module). */
  type: ProblemSlug;
  title: string;
  detail: string;
  errors: FieldError[];
}

/**
 * SPEC: only the same key, or the same controller once verified (on both sides), may update or
 * revoke; and whoever `target.alsoBy` names, by key or by verified controller.
 */
export function mayActOn(actor: Signer, target: Signer & Pick<Facts, "alsoBy">): boolean {
  if (actor.declarant === target.declarant) return true;
  if (actor.controllerVerified && target.controllerVerified && actor.controller !== null && actor.controller === target.controller) return true;
  return isParty(actor, target.alsoBy ?? null);
}

/** Whether `party` (a key or a did:web) is this signer: its key, or its verified controller. */
export function isParty(signer: Signer, party: string | null): boolean {
  if (party === null) return false;
  return signer.declarant === party || (signer.controllerVerified && signer.controller === party);
}

/** What `s` does to `target`: nothing (null) unless `s` names it, is of its kind, may act on it, and it is not a revocation. */
export function effectOn(s: Facts, target: Facts): "superseded" | "revoked" | null {
  if (s.intent === "activate" || s.supersedes !== target.id || s.id === target.id) return null;
  if ((s.kind ?? "declaration") !== (target.kind ?? "declaration")) return null;
  if (target.intent === "revoke" || !mayActOn(s, target)) return null;
  return s.intent === "revoke" ? "revoked" : "superseded";
}

/** A status after one more effect: revoked is final, superseded replaces active. */
export function withEffect(status: Status, effect: "superseded" | "revoked" | null): Status {
  if (effect === "revoked" || status === "revoked") return "revoked";
  return effect === "superseded" ? "superseded" : status;
}

/** The status of `target` given the declarations that name it: a function of the set, not the order. */
export function statusOf(target: Facts, supersessions: Iterable<Facts>): Status {
  let status: Status = "active";
  for (const s of supersessions) status = withEffect(status, effectOn(s, target));
  return status;
}

function refusal(status: Refusal["status"], type: ProblemSlug, title: string, detail: string, errors: FieldError[] = []): Refusal {
  return { status, type, title, detail, errors };
}

/**
 * Why a local update or revoke may not be registered, or null: it must name a declaration held
 * here (404), signed by the same key or verified controller (403), that is not a revocation and is
 * still active (409).
 */
export function localSupersessionRefusal(s: Omit<Facts, "id">, target: (Facts & { status: Status }) | undefined): Refusal | null {
  if (s.intent === "activate" || s.supersedes === null) return null;
  const kind = s.kind ?? "declaration";
  if (!target || (target.kind ?? "declaration") !== kind)
    return refusal(404, kind === "mandate" ? "unknown-mandate" : "unknown-declaration", `Unknown ${kind}`, `${s.supersedes} is not a ${kind} registered here`, [{ pointer: "/supersedes", detail: `no such ${kind}` }]);
  if (!mayActOn(s, target))
    return refusal(403, "wrong-key", "Not the declarant", `${target.id} was declared by another key; only its declarant (or its verified controller${target.alsoBy ? `, or ${target.alsoBy}` : ""}) may ${s.intent} it`, [
      { pointer: "/supersedes", detail: "declared by another key" },
    ]);
  if (target.intent === "revoke")
    return refusal(409, "not-supersedable", "Cannot supersede a revocation", `${target.id} is itself a revocation`, [{ pointer: "/supersedes", detail: "is a revocation" }]);
  if (target.status !== "active")
    return refusal(409, "not-active", "Declaration is not active", `${target.id} is already ${target.status}`, [{ pointer: "/supersedes", detail: `already ${target.status}` }]);
  return null;
}

/** This registry, as the id rules need it. */
export interface Registry {
  name: string;
  hubId: number;
}

/**
 * Why an id a peer delivered may not be stored, or null. Ids in our hub are ours alone (a peer may
 * only hand back what we issued, i.e. a receipt of ours), and no id may lie in the future beyond the
 * allowed skew: a far-future id would sort after everything we ever issue.
 */
export function deliveredIdRefusal(id: string, origin: string, me: Registry, nowMicros: bigint, skewMicros: bigint): Refusal | null {
  let parsed: { timestampMicros: bigint; hubId: number };
  try {
    parsed = parseIsccIdV1(id);
  } catch (e) {
    return refusal(422, "bad-receipt", "Invalid receipt id", `${id} is not an ISCC-ID v1: ${(e as Error).message}`, [{ pointer: "/receipt/id", detail: "not an ISCC-ID v1" }]);
  }
  if (parsed.hubId === me.hubId && !sameRegistryName(origin, me.name))
    return refusal(409, "id-in-our-hub", "Id in this registry's hub", `${id} is in hub ${me.hubId}, which is this registry's; ${origin} may not issue it`, [
      { pointer: "/receipt/id", detail: `hub ${me.hubId} belongs to ${me.name}` },
    ]);
  if (parsed.timestampMicros > nowMicros + skewMicros)
    return refusal(422, "id-in-the-future", "Id timestamp in the future", `${id} is dated ${parsed.timestampMicros} µs, beyond this registry's clock and the allowed skew`, [
      { pointer: "/receipt/id", detail: "timestamp in the future" },
    ]);
  return null;
}

/** The next seq and the next id timestamp (µs) this registry hands out. */
export interface Counters {
  seq: number;
  micros: bigint;
}

/** One item of a group, as submitted (`delivered` unset) or as a peer delivered it. */
export interface Submission {
  digest: string;
  facts: Omit<Facts, "id">;
  /** The id its origin registry gave it, and that registry's name. */
  delivered?: { id: string; origin: string };
}

/** What the sequencer read from storage for a group. */
export interface Known {
  /** Stored declarations with a digest of the group. */
  byDigest: ReadonlyMap<string, StoredFacts>;
  /** Stored declarations with an id the group names: every `supersedes`, every delivered id. */
  byId: ReadonlyMap<string, StoredFacts>;
  /** Stored declarations that name a delivered id of the group (they arrived before it). */
  naming: ReadonlyMap<string, readonly Facts[]>;
}

export interface GroupContext {
  me: Registry;
  next: Counters;
  nowMicros: bigint;
  skewMicros: bigint;
  /** Ids in our hub known to be taken beyond those in `known.byId`: never handed out. */
  avoid: ReadonlySet<string>;
}

/**
 * The ids planGroup hands out to `n` local submissions when none is taken: the sequencer reads them
 * with the group (Known.byId), so an id a peer's row holds in our hub is skipped without a query of its own.
 */
export function candidateIds(next: Counters, nowMicros: bigint, hubId: number, n: number): string[] {
  const from = next.micros > nowMicros ? next.micros : nowMicros;
  const out: string[] = [];
  for (let i = 0n; i < BigInt(n) && from + i <= MAX_MICROS; i++) out.push(genIsccIdV1({ timestampMicros: from + i, hubId }));
  return out;
}

export type Decision =
  | { kind: "exists"; id: string; seq: number; digest: string; status: Status }
  | { kind: "refused"; refusal: Refusal }
  /** `issued`: the id is ours, just handed out (a receipt is to be signed); else the origin's. */
  | { kind: "created"; id: string; seq: number; digest: string; status: Status; issued: boolean };

export interface GroupPlan {
  /** One per submission, in order. Statuses are final: what the group as a whole leaves. */
  decisions: Decision[];
  /** Stored declarations the group supersedes or revokes, with their new status. */
  statusChanges: { id: string; seq: number; status: Status }[];
  next: Counters;
}

const MAX_MICROS = (1n << 52n) - 1n;

interface Entry {
  facts: Facts;
  seq: number;
  digest: string;
  status: Status;
  stored: boolean;
  storedStatus: Status;
}

/**
 * Decides a group, in order, as if its items had been registered one by one: each sees what the
 * items before it created or changed. Ids for local submissions are the next timestamps, strictly
 * increasing, skipping ids held by known rows or in `avoid`; seqs are gapless.
 */
export function planGroup(subs: readonly Submission[], known: Known, ctx: GroupContext): GroupPlan {
  // Every declaration the group touches, stored or created, by id; stored ones enter on first use.
  const byId = new Map<string, Entry>();
  const adopt = (s: StoredFacts): Entry => {
    let e = byId.get(s.id);
    if (!e) byId.set(s.id, (e = { facts: s, seq: s.seq, digest: s.digest, status: s.status, stored: true, storedStatus: s.status }));
    return e;
  };
  const entry = (id: string | null): Entry | undefined => {
    if (id === null) return undefined;
    const s = byId.has(id) ? undefined : known.byId.get(id);
    return s ? adopt(s) : byId.get(id);
  };
  const created = new Map<string, Entry>();
  const naming = new Map<string, Facts[]>();
  for (const [id, list] of known.naming) naming.set(id, [...list]);
  let { seq, micros } = ctx.next;

  const outcome: (Entry | Refusal | { exists: Entry })[] = subs.map((sub) => {
    const again = created.get(sub.digest);
    if (again) return { exists: again };
    const stored = known.byDigest.get(sub.digest);
    if (stored) return { exists: adopt(stored) };

    let id: string;
    if (sub.delivered) {
      id = sub.delivered.id;
      const bad = deliveredIdRefusal(id, sub.delivered.origin, ctx.me, ctx.nowMicros, ctx.skewMicros);
      if (bad) return bad;
      if (entry(id)) return refusal(409, "id-conflict", "Id already used", `${id} already names another declaration`, [{ pointer: "/receipt/id", detail: "already used" }]);
    } else {
      const target = entry(sub.facts.supersedes);
      const bad = localSupersessionRefusal(sub.facts, target && { ...target.facts, status: target.status });
      if (bad) return bad;
      if (micros < ctx.nowMicros) micros = ctx.nowMicros;
      // Skip ids already held: by rows a peer wrote in our hub, or by this group.
      const idAt = (m: bigint) => (m <= MAX_MICROS ? genIsccIdV1({ timestampMicros: m, hubId: ctx.me.hubId }) : null);
      let candidate = idAt(micros);
      while (candidate !== null && (ctx.avoid.has(candidate) || entry(candidate) !== undefined)) candidate = idAt((micros += 1n));
      if (candidate === null) return refusal(409, "ids-exhausted", "No id left", `hub ${ctx.me.hubId} has no ISCC-ID timestamp left`);
      id = candidate;
      micros += 1n;
    }

    const facts: Facts = { ...sub.facts, id };
    const status = statusOf(facts, naming.get(id) ?? []);
    const e: Entry = { facts, seq, digest: sub.digest, status, stored: false, storedStatus: status };
    seq += 1;
    byId.set(id, e);
    created.set(sub.digest, e);
    if (facts.supersedes !== null) {
      const target = entry(facts.supersedes);
      if (target) target.status = withEffect(target.status, effectOn(facts, target.facts));
      // A peer's update or revoke that arrives before its target waits for it (local ones were refused above).
      else naming.set(facts.supersedes, [...(naming.get(facts.supersedes) ?? []), facts]);
    }
    return e;
  });

  const decisions = outcome.map((o, i): Decision => {
    if ("exists" in o) return { kind: "exists", id: o.exists.facts.id, seq: o.exists.seq, digest: o.exists.digest, status: o.exists.status };
    if ("facts" in o) return { kind: "created", id: o.facts.id, seq: o.seq, digest: o.digest, status: o.status, issued: !subs[i]!.delivered };
    return { kind: "refused", refusal: o };
  });
  const statusChanges = [...byId.values()].filter((e) => e.stored && e.status !== e.storedStatus).map((e) => ({ id: e.facts.id, seq: e.seq, status: e.status }));
  return { decisions, statusChanges, next: { seq, micros } };
}
