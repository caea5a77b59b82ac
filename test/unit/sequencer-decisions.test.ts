import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  candidateIds,
  deliveredIdRefusal,
  effectOn,
  localSupersessionRefusal,
  mayActOn,
  planGroup,
  statusOf,
  withEffect,
  type Facts,
  type GroupContext,
  type Intent,
  type Known,
  type RecordKind,
  type Signer,
  type Status,
  type StoredFacts,
  type Submission,
} from "../../src/domain/sequencer-decisions";
import { genIsccIdV1, parseIsccIdV1 } from "../../src/iscc/index";

const ME = { name: "registry.example", hubId: 1 };
const PEER = "peer.example";
const NOW = 1_800_000_000_000_000n;
const SKEW = 600_000_000n;
const idAt = (micros: bigint, hubId = 7) => genIsccIdV1({ timestampMicros: micros, hubId });

const signers: Signer[] = [];
for (const declarant of ["k1", "k2"])
  for (const controller of [null, "did:web:a.example", "did:web:b.example"])
    for (const controllerVerified of controller ? [false, true] : [false]) signers.push({ declarant, controller, controllerVerified });

function facts(over: Partial<Facts> & Pick<Facts, "id">): Facts {
  return { intent: "activate", supersedes: null, declarant: "k1", controller: null, controllerVerified: false, ...over };
}

describe("who may supersede what", () => {
  it("the same key, or the same controller verified on both sides; nothing else (every combination)", () => {
    for (const a of signers)
      for (const t of signers) {
        const expected = a.declarant === t.declarant || (a.controller !== null && a.controller === t.controller && a.controllerVerified && t.controllerVerified);
        expect(mayActOn(a, t), `${JSON.stringify(a)} on ${JSON.stringify(t)}`).toBe(expected);
      }
  });

  it("an update supersedes and a revoke revokes only a target it names, may act on, that is not a revocation and not itself", () => {
    const intents: Intent[] = ["activate", "update", "revoke"];
    for (const sIntent of intents)
      for (const tIntent of intents)
        for (const sameKey of [true, false])
          for (const names of [true, false])
            for (const self of [true, false]) {
              const target = facts({ id: "T", intent: tIntent, supersedes: tIntent === "activate" ? null : "X" });
              const s = facts({ id: self ? "T" : "S", intent: sIntent, supersedes: sIntent === "activate" ? null : names ? "T" : "U", declarant: sameKey ? "k1" : "k2" });
              const acts = sIntent !== "activate" && names && sameKey && !self && tIntent !== "revoke";
              expect(effectOn(s, target)).toBe(acts ? (sIntent === "revoke" ? "revoked" : "superseded") : null);
            }
  });

  it("revoked is final and superseded replaces active, whatever comes after", () => {
    const table: [Status, "superseded" | "revoked" | null, Status][] = [
      ["active", null, "active"],
      ["active", "superseded", "superseded"],
      ["active", "revoked", "revoked"],
      ["superseded", null, "superseded"],
      ["superseded", "superseded", "superseded"],
      ["superseded", "revoked", "revoked"],
      ["revoked", null, "revoked"],
      ["revoked", "superseded", "revoked"],
      ["revoked", "revoked", "revoked"],
    ];
    for (const [s, e, out] of table) expect(withEffect(s, e)).toBe(out);
    const t = facts({ id: "T" });
    const upd = facts({ id: "U", intent: "update", supersedes: "T" });
    const rev = facts({ id: "R", intent: "revoke", supersedes: "T" });
    const stranger = facts({ id: "V", intent: "revoke", supersedes: "T", declarant: "k2" });
    expect(statusOf(t, [])).toBe("active");
    expect(statusOf(t, [stranger])).toBe("active");
    expect(statusOf(t, [upd])).toBe("superseded");
    expect(statusOf(t, [upd, rev])).toBe("revoked");
    expect(statusOf(t, [rev, upd])).toBe("revoked");
  });
});

describe("refusals", () => {
  const update = { intent: "update" as const, supersedes: "T", declarant: "k1", controller: null, controllerVerified: false };
  const target = (over: Partial<Facts & { status: Status }> = {}) => ({ ...facts({ id: "T" }), status: "active" as Status, ...over });

  it("a local update or revoke: 404 unknown, 403 another key, 409 a revocation, 409 no longer active, in that order", () => {
    expect(localSupersessionRefusal({ ...update, intent: "activate", supersedes: null }, undefined)).toBeNull();
    expect(localSupersessionRefusal(update, target())).toBeNull();
    expect(localSupersessionRefusal({ ...update, intent: "revoke" }, target())).toBeNull();
    expect(localSupersessionRefusal(update, undefined)).toMatchObject({ status: 404, type: "unknown-declaration", errors: [{ pointer: "/supersedes" }] });
    expect(localSupersessionRefusal({ ...update, declarant: "k2" }, target({ intent: "revoke", status: "revoked" }))).toMatchObject({ status: 403, type: "wrong-key" });
    expect(localSupersessionRefusal(update, target({ intent: "revoke", supersedes: "X", status: "superseded" }))).toMatchObject({ status: 409, type: "not-supersedable" });
    for (const status of ["superseded", "revoked"] as const)
      expect(localSupersessionRefusal(update, target({ status }))).toMatchObject({ status: 409, type: "not-active", detail: `T is already ${status}` });
    // Another key under the same verified controller may act; an unverified claim may not.
    const ctl = { controller: "did:web:a.example", controllerVerified: true };
    expect(localSupersessionRefusal({ ...update, declarant: "k2", ...ctl }, target(ctl))).toBeNull();
    expect(localSupersessionRefusal({ ...update, declarant: "k2", ...ctl }, target({ ...ctl, controllerVerified: false }))).toMatchObject({ status: 403 });
  });

  it("a delivered id: not in our hub unless we issued it, not beyond the clock and its skew, an ISCC-ID", () => {
    expect(deliveredIdRefusal(idAt(NOW), PEER, ME, NOW, SKEW)).toBeNull();
    expect(deliveredIdRefusal(idAt(NOW + SKEW), PEER, ME, NOW, SKEW)).toBeNull();
    expect(deliveredIdRefusal(idAt(NOW + SKEW + 1n), PEER, ME, NOW, SKEW)).toMatchObject({ status: 422, type: "id-in-the-future", errors: [{ pointer: "/receipt/id" }] });
    expect(deliveredIdRefusal(idAt((1n << 52n) - 1n), PEER, ME, NOW, SKEW)).toMatchObject({ status: 422 });
    expect(deliveredIdRefusal(idAt(NOW - 5n, ME.hubId), PEER, ME, NOW, SKEW)).toMatchObject({ status: 409, type: "id-in-our-hub" });
    expect(deliveredIdRefusal(idAt(NOW - 5n, ME.hubId), ME.name, ME, NOW, SKEW)).toBeNull();
    expect(deliveredIdRefusal("ISCC:KACT4EBWK27737D2AYCJRAL5Z36G76RFRMO4554RU26HZ4ORJGIVHDI", PEER, ME, NOW, SKEW)).toMatchObject({ status: 422, type: "bad-receipt" });
  });
});

const empty: Known = { byDigest: new Map(), byId: new Map(), naming: new Map() };
const ctx = (over: Partial<GroupContext> = {}): GroupContext => ({ me: ME, next: { seq: 1, micros: 0n }, nowMicros: NOW, skewMicros: SKEW, avoid: new Set(), ...over });
const local = (digest: string, over: Partial<Submission["facts"]> = {}): Submission => ({
  digest,
  facts: { intent: "activate", supersedes: null, declarant: "k1", controller: null, controllerVerified: false, ...over },
});
const delivered = (digest: string, id: string, over: Partial<Submission["facts"]> = {}, origin = PEER): Submission => ({ ...local(digest, over), delivered: { id, origin } });
const stored = (over: Partial<StoredFacts> & Pick<StoredFacts, "id" | "seq" | "digest">): StoredFacts => ({ ...facts({ id: over.id }), status: "active", ...over });

describe("planGroup", () => {
  it("hands out gapless seqs and strictly increasing ids in our hub, from the clock or past the last one, skipping ids to avoid", () => {
    const p = planGroup([local("a"), local("b"), local("c")], empty, ctx({ next: { seq: 41, micros: NOW + 10n }, avoid: new Set([idAt(NOW + 11n, ME.hubId)]) }));
    expect(p.decisions.map((d) => d.kind === "created" && [d.seq, parseIsccIdV1(d.id).timestampMicros - NOW, parseIsccIdV1(d.id).hubId, d.issued])).toEqual([
      [41, 10n, 1, true],
      [42, 12n, 1, true],
      [43, 13n, 1, true],
    ]);
    expect(p.next).toEqual({ seq: 44, micros: NOW + 14n });
    const fromClock = planGroup([local("a")], empty, ctx({ next: { seq: 1, micros: 5n } }));
    expect(fromClock.decisions[0]).toMatchObject({ kind: "created", id: idAt(NOW, ME.hubId) });
  });

  it("refuses a local item when the hub's last id timestamp is taken, and hands out the last one", () => {
    const last = (1n << 52n) - 1n;
    const p = planGroup([local("a"), local("b")], empty, ctx({ next: { seq: 9, micros: last }, nowMicros: last - 1n }));
    expect(p.decisions[0]).toMatchObject({ kind: "created", id: idAt(last, ME.hubId), seq: 9 });
    expect(p.decisions[1]).toMatchObject({ kind: "refused", refusal: { status: 409, type: "ids-exhausted" } });
    expect(p.next.seq).toBe(10);
    const none = planGroup([local("a")], empty, ctx({ next: { seq: 9, micros: last }, nowMicros: last - 1n, avoid: new Set([idAt(last, ME.hubId)]) }));
    expect(none.decisions[0]).toMatchObject({ kind: "refused", refusal: { type: "ids-exhausted" } });
  });

  it("names the ids it will hand out beforehand, and skips those that stored rows hold", () => {
    const next = { seq: 7, micros: NOW + 100n };
    expect(candidateIds(next, NOW, ME.hubId, 3)).toEqual([100n, 101n, 102n].map((d) => idAt(NOW + d, ME.hubId)));
    expect(candidateIds({ seq: 1, micros: 0n }, NOW, ME.hubId, 1)).toEqual([idAt(NOW, ME.hubId)]);
    expect(candidateIds({ seq: 1, micros: (1n << 52n) - 2n }, NOW, ME.hubId, 5)).toHaveLength(2);
    const held = stored({ id: idAt(NOW + 101n, ME.hubId), seq: 3, digest: "foreign" });
    const p = planGroup([local("a"), local("b")], { ...empty, byId: new Map([[held.id, held]]) }, ctx({ next }));
    expect(p.decisions.map((d) => d.kind === "created" && parseIsccIdV1(d.id).timestampMicros - NOW)).toEqual([100n, 102n]);
    expect(p.statusChanges).toEqual([]);
  });

  it("answers a known digest with what it is now, in the store or earlier in the group, using no seq or id", () => {
    const known: Known = { ...empty, byDigest: new Map([["a", stored({ id: "ISCC:A", seq: 3, digest: "a", status: "superseded" })]]) };
    const p = planGroup([local("a"), local("b"), local("b"), delivered("a", idAt(NOW - 9n))], known, ctx({ next: { seq: 9, micros: 0n } }));
    expect(p.decisions.map((d) => [d.kind, "seq" in d ? d.seq : null])).toEqual([
      ["exists", 3],
      ["created", 9],
      ["exists", 9],
      ["exists", 3],
    ]);
    expect(p.decisions[0]).toMatchObject({ id: "ISCC:A", status: "superseded" });
    expect(p.next.seq).toBe(10);
  });

  it("decides a local update, then a second update of the same target in the same group, as if one by one", () => {
    const t = stored({ id: "ISCC:T", seq: 1, digest: "t" });
    const known: Known = { ...empty, byId: new Map([[t.id, t]]) };
    const p = planGroup([local("u1", { intent: "update", supersedes: t.id }), local("u2", { intent: "update", supersedes: t.id }), local("r", { intent: "revoke", supersedes: t.id })], known, ctx({ next: { seq: 2, micros: 0n } }));
    expect(p.decisions.map((d) => (d.kind === "refused" ? d.refusal.type : d.kind))).toEqual(["created", "not-active", "not-active"]);
    expect(p.statusChanges).toEqual([{ id: t.id, seq: 1, status: "superseded" }]);
    expect(p.next.seq).toBe(3);
  });

  it("lets a local update supersede a declaration created earlier in the group, whose final status is written", () => {
    const p = planGroup([local("t"), local("u", { intent: "update", supersedes: "?" })], empty, ctx());
    expect(p.decisions[1]).toMatchObject({ kind: "refused", refusal: { status: 404 } });
    const first = planGroup([local("t")], empty, ctx());
    const tid = (first.decisions[0] as { id: string }).id;
    const both = planGroup([local("t"), local("u", { intent: "update", supersedes: tid }), local("v", { intent: "revoke", supersedes: tid, declarant: "k2" })], empty, ctx());
    expect(both.decisions.map((d) => ("status" in d ? d.status : d.refusal.status))).toEqual(["superseded", "active", 403]);
    expect(both.statusChanges).toEqual([]);
  });

  it("keeps a delivered update or revoke that arrives before its target; the target then arrives with its status", () => {
    const tid = idAt(NOW - 100n);
    const early = planGroup([delivered("r", idAt(NOW - 50n), { intent: "revoke", supersedes: tid })], empty, ctx());
    expect(early.decisions[0]).toMatchObject({ kind: "created", status: "active", issued: false });
    const waiting = facts({ id: idAt(NOW - 50n), intent: "revoke", supersedes: tid });
    const later = planGroup([delivered("t", tid)], { ...empty, naming: new Map([[tid, [waiting]]]) }, ctx());
    expect(later.decisions[0]).toMatchObject({ kind: "created", id: tid, status: "revoked" });
    // Within one delivery too.
    const one = planGroup([delivered("r", idAt(NOW - 50n), { intent: "revoke", supersedes: tid }), delivered("t", tid)], empty, ctx());
    expect(one.decisions.map((d) => d.kind === "created" && d.status)).toEqual(["active", "revoked"]);
  });

  it("keeps a delivered supersession that may not act, without effect: the set does not depend on arrival order", () => {
    const t = stored({ id: idAt(NOW - 100n), seq: 1, digest: "t" });
    const p = planGroup([delivered("x", idAt(NOW - 50n), { intent: "revoke", supersedes: t.id, declarant: "k2" })], { ...empty, byId: new Map([[t.id, t]]) }, ctx());
    expect(p.decisions[0]).toMatchObject({ kind: "created", status: "active" });
    expect(p.statusChanges).toEqual([]);
  });

  it("refuses delivered ids already used, in our hub, or in the future, and nothing else of the group", () => {
    const used = stored({ id: idAt(NOW - 100n), seq: 1, digest: "other" });
    const p = planGroup(
      [
        delivered("a", used.id),
        delivered("b", idAt(NOW - 7n, ME.hubId)),
        delivered("c", idAt((1n << 52n) - 1n, ME.hubId)),
        delivered("d", idAt((1n << 52n) - 1n)),
        delivered("e", idAt(NOW - 3n)),
        delivered("f", idAt(NOW - 3n)),
        delivered("g", idAt(NOW - 8n, ME.hubId), {}, ME.name),
        local("h"),
      ],
      { ...empty, byId: new Map([[used.id, used]]) },
      ctx({ next: { seq: 2, micros: 0n } }),
    );
    expect(p.decisions.map((d) => (d.kind === "refused" ? d.refusal.type : d.kind))).toEqual([
      "id-conflict",
      "id-in-our-hub",
      "id-in-our-hub",
      "id-in-the-future",
      "created",
      "id-conflict",
      "created",
      "created",
    ]);
    expect(p.decisions.flatMap((d) => (d.kind === "created" ? [d.seq] : []))).toEqual([2, 3, 4]);
  });
});

/**
 * Convergence (SPEC, Federation): a set of declarations delivered by peers in any order, in any
 * grouping, with duplicates, leaves the same statuses: those of statusOf over the whole set.
 */
describe("mandates and agents' declarations", () => {
  const member = { declarant: "km", controller: null, controllerVerified: false };
  const agentKey = { declarant: "ka", controller: "did:web:society.example", controllerVerified: true };
  const grant = facts({ id: "M", ...member, kind: "mandate", alsoBy: "did:web:society.example" });
  it("a mandate is revoked by its member, or by its agent by key or verified controller; by nobody else", () => {
    const rev = (s: Signer) => facts({ id: "R", ...s, kind: "mandate", intent: "revoke", supersedes: "M" });
    expect(effectOn(rev(member), grant)).toBe("revoked");
    expect(effectOn(rev(agentKey), grant)).toBe("revoked");
    expect(effectOn(rev({ ...agentKey, controllerVerified: false }), grant)).toBeNull();
    expect(effectOn(rev({ declarant: "stranger", controller: null, controllerVerified: false }), grant)).toBeNull();
  });
  it("a revoke acts only on a record of its own kind; locally, naming the other kind is a 404", () => {
    const declRevoke = facts({ id: "R", ...member, intent: "revoke", supersedes: "M" });
    expect(effectOn(declRevoke, grant)).toBeNull();
    expect(localSupersessionRefusal(declRevoke, { ...grant, status: "active" })?.status).toBe(404);
    expect(localSupersessionRefusal({ ...declRevoke, kind: "mandate" }, { ...grant, status: "active" })).toBeNull();
  });
  it("the member an agent's declaration names may update or revoke it", () => {
    const agentDecl = facts({ id: "D", ...agentKey, alsoBy: "km" });
    expect(effectOn(facts({ id: "U", ...member, intent: "update", supersedes: "D" }), agentDecl)).toBe("superseded");
    expect(localSupersessionRefusal(facts({ id: "U", declarant: "kx", intent: "revoke", supersedes: "D" }), { ...agentDecl, status: "active" })?.detail).toContain("or km");
  });
});

describe("any arrival order gives the same statuses", () => {
  interface Item {
    digest: string;
    id: string;
    facts: Omit<Facts, "id">;
  }

  const itemsArb = fc
    .integer({ min: 1, max: 9 })
    .chain((n) =>
      fc.array(
        fc.record({
          intent: fc.constantFrom<Intent>("activate", "update", "update", "revoke", "revoke"),
          target: fc.integer({ min: 0, max: n }), // n: an id nobody declares
          signer: fc.constantFrom(...signers),
          // Mandates (no updates) and declarations side by side; a revoke of the other kind acts on nothing.
          kind: fc.constantFrom<RecordKind>("declaration", "mandate"),
          // The agent of a mandate, the member of an agent's declaration: they may act on it too.
          alsoBy: fc.constantFrom(null, "k1", "k2", "did:web:a.example"),
        }),
        { minLength: n, maxLength: n },
      ),
    )
    .map((specs): Item[] => {
      const ids = Array.from({ length: specs.length + 1 }, (_, i) => idAt(NOW - 1000n + BigInt(i)));
      return specs.map((s, i) => ({
        digest: `d${i}`,
        id: ids[i]!,
        facts: {
          ...s.signer,
          intent: s.kind === "mandate" && s.intent === "update" ? "revoke" : s.intent,
          supersedes: s.intent === "activate" ? null : ids[s.target]!,
          kind: s.kind,
          alsoBy: s.alsoBy,
        },
      }));
    });

  /** A store as the Durable Object keeps it, fed group by group through planGroup. */
  function deliver(items: Item[], arrivals: number[], cuts: number[]): Map<string, Status> {
    const rows = new Map<string, StoredFacts>();
    let next = { seq: 1, micros: 0n };
    const groups: number[][] = [];
    let cur: number[] = [];
    arrivals.forEach((a, k) => {
      cur.push(a);
      if (cuts.includes(k) || k === arrivals.length - 1) (groups.push(cur), (cur = []));
    });
    for (const g of groups) {
      const subs = g.map((i) => delivered(items[i]!.digest, items[i]!.id, items[i]!.facts));
      const all = [...rows.values()];
      const deliveredIds = new Set(subs.map((s) => s.delivered!.id));
      const named = new Set([...deliveredIds, ...subs.flatMap((s) => (s.facts.supersedes ? [s.facts.supersedes] : []))]);
      const known: Known = {
        byDigest: new Map(all.filter((r) => subs.some((s) => s.digest === r.digest)).map((r) => [r.digest, r])),
        byId: new Map(all.filter((r) => named.has(r.id)).map((r) => [r.id, r])),
        naming: new Map([...deliveredIds].map((id) => [id, all.filter((r) => r.supersedes === id)])),
      };
      const plan = planGroup(subs, known, ctx({ next }));
      plan.decisions.forEach((d, k) => {
        if (d.kind === "refused") throw new Error(`refused ${JSON.stringify(d.refusal)}`);
        if (d.kind === "created") rows.set(d.id, { ...subs[k]!.facts, id: d.id, seq: d.seq, digest: d.digest, status: d.status });
      });
      for (const c of plan.statusChanges) rows.get(c.id)!.status = c.status;
      next = plan.next;
    }
    return new Map([...rows.values()].map((r) => [r.id, r.status]));
  }

  it("equals statusOf over the set, for every permutation, grouping and duplication", () => {
    fc.assert(
      fc.property(
        itemsArb.chain((items) =>
          fc.tuple(
            fc.constant(items),
            fc.shuffledSubarray([...items.keys(), ...items.keys()], { minLength: items.length * 2, maxLength: items.length * 2 }),
            fc.array(fc.integer({ min: 0, max: items.length * 2 }), { maxLength: 6 }),
            fc.integer({ min: 0, max: items.length * 2 }),
          ),
        ),
        ([items, order, cuts, dropDuplicates]) => {
          // Every item arrives at least once; some arrive twice (a duplicate answers `exists`).
          const arrivals = order.filter((i, k) => k < dropDuplicates || order.indexOf(i) === k);
          const got = deliver(items, arrivals, cuts);
          const all: Facts[] = items.map((it) => ({ ...it.facts, id: it.id }));
          const expected = new Map(all.map((f) => [f.id, statusOf(f, all.filter((s) => s.supersedes === f.id))]));
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
