import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agencyOf, type MandateRecord } from "../../src/domain/agency";
import {
  addOwner,
  allConflicts,
  checkConflicts,
  claimDomains,
  distance64Hex,
  pairConflicts,
  recheckDomains,
  sharedWork,
  type ClaimFacts,
  type Conflict,
} from "../../src/domain/conflicts";
import { hostIsWithin } from "../../src/domain/did-web";
import { mandateScope } from "../../src/domain/mandate";
import { unknownPreferences, type Outcome } from "../../src/domain/preferences";
import { effectOn, type Facts, type Signer } from "../../src/domain/sequencer-decisions";
import { parseUrlPattern } from "../../src/domain/url-pattern";
import { MainType } from "../../src/iscc/index";

const T0 = 1_800_000_000_000_000n; // µs
const HOUR = 3_600_000_000n;

/** Parties: two verified domain owners, a society (verified), two unverified keys. */
const parties = {
  alice: { declarant: "kA", controller: "did:web:alice.example", controllerVerified: true, domain: "alice.example" },
  alice2: { declarant: "kA2", controller: "did:web:alice.example", controllerVerified: true, domain: "alice.example" },
  bob: { declarant: "kB", controller: "did:web:bob.example", controllerVerified: true, domain: "bob.example" },
  society: { declarant: "kS", controller: "did:web:society.example", controllerVerified: true, domain: "society.example" },
  // An agent key whose controller is not verified: only a mandate vouches for what it declares.
  agentKey: { declarant: "kS2", controller: null, controllerVerified: false, domain: null },
  member: { declarant: "kM", controller: null, controllerVerified: false, domain: null },
  stranger: { declarant: "kX", controller: "did:web:alice.example", controllerVerified: false, domain: null },
} satisfies Record<string, Signer & { domain: string | null }>;

/** Unit bodies: two works, each with a near copy (3 bits away) and a far copy (20 bits away). */
const BODIES = ["0123456789abcdef", "0123456789abcde8", "f123456789a00000", "fedcba9876543210", "fedcba9876543217"];
const unit = (i: number, maintype = MainType.CONTENT) => ({
  unitType: maintype === MainType.CONTENT ? "CONTENT-IMAGE-V0" : maintype === MainType.INSTANCE ? "INSTANCE-NONE-V0" : "META-NONE-V0",
  maintype,
  code: `code${maintype}-${i}`,
  bodyHex: BODIES[i]!,
});
const HOSTS = ["alice.example", "www.alice.example", "bob.example", "other.example"];

function claim(over: Partial<ClaimFacts> & { id: string; micros: bigint }, who: keyof typeof parties = "member"): ClaimFacts {
  const p = parties[who]!;
  return {
    intent: "activate",
    onBehalfOf: null,
    preferences: unknownPreferences(),
    units: [],
    datahash: null,
    urls: [],
    ...p,
    ...over,
  };
}
const prefs = (train: Outcome) => ({ ...unknownPreferences(), "train-ai": train });
const url = (u: string, owner: Signer & { domain: string | null }) => {
  const p = parseUrlPattern(u);
  return { ...p, verification: owner.controllerVerified && owner.domain && hostIsWithin(p.host, owner.domain) ? ("domain-verified" as const) : ("self-asserted" as const) };
};

describe("what two declarations share", () => {
  it("a content unit within 12 bits, an instance unit on its common prefix, a datahash, never a meta unit alone", () => {
    const a = claim({ id: "a", micros: T0, units: [unit(0), unit(3, MainType.META)] });
    expect(sharedWork(claim({ id: "b", micros: T0 + 1n, units: [unit(1)] }), a)).toMatchObject({ subject: "iscc", distance: 3 });
    expect(distance64Hex(BODIES[0]!, BODIES[2]!)).toBeGreaterThan(12);
    expect(sharedWork(claim({ id: "b", micros: T0 + 1n, units: [unit(2)] }), a)).toBeNull();
    expect(sharedWork(claim({ id: "b", micros: T0 + 1n, units: [unit(3, MainType.META)] }), a)).toBeNull();
    const inst = claim({ id: "c", micros: T0, units: [{ ...unit(0, MainType.INSTANCE), bodyHex: "0123456789abcdef" }] });
    const dh = claim({ id: "d", micros: T0 + 1n, datahash: "1e20" + "0123456789abcdef" + "0".repeat(48) });
    expect(sharedWork(dh, inst)).toMatchObject({ subject: "datahash", distance: 0 });
    expect(sharedWork(inst, dh)).toMatchObject({ subject: "datahash", distance: 0 });
  });
});

describe("pair conflicts", () => {
  const first = claim({ id: "a", micros: T0, units: [unit(0)], preferences: prefs("n") }, "alice");
  it("opposite preferences on a shared work between two parties; not within one party, not for a revocation", () => {
    const later = claim({ id: "b", micros: T0 + 1n, units: [unit(1)], preferences: prefs("y") }, "bob");
    expect(pairConflicts(first, later, []).map((c) => [c.kind, c.claim, c.counterpart])).toEqual([["opposite-preferences", "b", "a"]]);
    expect(pairConflicts(later, first, [])).toEqual(pairConflicts(first, later, []));
    expect(pairConflicts(first, { ...later, ...parties.alice2 }, [])).toEqual([]);
    expect(pairConflicts(first, { ...later, intent: "revoke" }, [])).toEqual([]);
  });
  it("an unverified later claim over a verified earlier one; not the other way round", () => {
    const later = claim({ id: "b", micros: T0 + 1n, units: [unit(1)], preferences: prefs("n") }, "stranger");
    expect(pairConflicts(first, later, []).map((c) => c.kind)).toEqual(["unverified-claim"]);
    const earlierUnverified = claim({ id: "z", micros: T0 - 1n, units: [unit(1)], preferences: prefs("n") }, "stranger");
    expect(pairConflicts(first, earlierUnverified, [])).toEqual([]);
  });
  it("an agent's earlier claim counts as vouched for only while a mandate stands at the later claim's registration", () => {
    const agentClaim = claim({ id: "a", micros: T0, units: [unit(0)], onBehalfOf: "kM", preferences: prefs("n") }, "society");
    const verifiedAgent = { ...agentClaim, controllerVerified: false }; // an unverified agent: only a mandate vouches
    const later = claim({ id: "b", micros: T0 + 2n * HOUR, units: [unit(0)], preferences: prefs("n") }, "stranger");
    const m: MandateRecord = {
      id: "M",
      micros: T0 - HOUR,
      member: "kM",
      memberIsni: null,
      agent: "kS",
      scope: mandateScope({ all: true }),
      validFromMs: Number(T0 / 1000n) - 3_600_000,
      validUntilMs: Number((T0 + 3n * HOUR) / 1000n),
      revokedMicros: null,
    };
    expect(pairConflicts(verifiedAgent, later, [m]).map((c) => c.kind)).toEqual(["unverified-claim"]);
    expect(pairConflicts(verifiedAgent, later, [])).toEqual([]);
    expect(pairConflicts(verifiedAgent, later, [{ ...m, revokedMicros: T0 + HOUR }])).toEqual([]);
    expect(pairConflicts(verifiedAgent, later, [{ ...m, revokedMicros: T0 + 3n * HOUR }]).length).toBe(1);
    expect(pairConflicts(verifiedAgent, later, [{ ...m, validUntilMs: Number((T0 + HOUR) / 1000n) }])).toEqual([]);
    // The member itself is not a stranger to its agent's claim.
    expect(pairConflicts(verifiedAgent, { ...later, ...parties.member }, [m])).toEqual([]);
  });
});

describe("labels of an agent's declaration", () => {
  const subjects = { urls: [parseUrlPattern("https://member.example/art/a.jpg")], units: [], datahash: null };
  const claimOf = (agent: Signer & { domain: string | null }) => ({ ...agent, onBehalfOf: "kM", subjects });
  const m: MandateRecord = {
    id: "M1",
    micros: T0,
    member: "kM",
    memberIsni: "0000000121032683",
    agent: "did:web:society.example",
    scope: mandateScope({ urls: ["https://member.example/art/*"] }),
    validFromMs: Number(T0 / 1000n),
    validUntilMs: Number((T0 + 10n * HOUR) / 1000n),
    revokedMicros: null,
  };
  it("mandated while a mandate in scope stands; agent-asserted for a verified agent otherwise; self-asserted for an unverified one", () => {
    const at = T0 + HOUR;
    // The member's ISNI goes with the mandate that covers the declaration, and only with it.
    expect(agencyOf(claimOf(parties.society), [m], at)).toEqual({ label: "agent-mandated", mandate: "M1", memberIsni: "0000000121032683" });
    expect(agencyOf(claimOf(parties.society), [{ ...m, revokedMicros: T0 + 1n }], at)).toEqual({ label: "agent-asserted", mandate: null, memberIsni: null });
    expect(agencyOf(claimOf(parties.society), [m], T0 + 11n * HOUR).label).toBe("agent-asserted");
    expect(agencyOf(claimOf(parties.society), [{ ...m, member: "kOther" }], at).label).toBe("agent-asserted");
    expect(agencyOf({ ...claimOf(parties.society), subjects: { ...subjects, urls: [parseUrlPattern("https://member.example/*")] } }, [m], at).label).toBe("agent-asserted");
    expect(agencyOf(claimOf({ ...parties.society, controllerVerified: false }), [m], at).label).toBe("self-asserted");
    expect(agencyOf(claimOf(parties.member), [m], at).label).toBe("self-asserted");
  });
});

describe("domain claims", () => {
  it("a rule that is not domain-verified within a verified domain: one conflict per domain, with its first verified declaration", () => {
    const owner1 = claim({ id: "o1", micros: T0 + 5n, urls: [url("https://alice.example/a/*", parties.alice)] }, "alice");
    const owner0 = claim({ id: "o0", micros: T0 + 3n }, "alice2");
    const d = claim({ id: "d", micros: T0, urls: [url("https://www.alice.example/x.jpg", parties.member), url("https://other.example/*", parties.member)] });
    const got = [...allConflicts([owner1, d, owner0], []).values()];
    expect(got.map((c) => [c.kind, c.claim, c.counterpart])).toEqual([["domain-claim", "d", "o0"]]);
    expect(claimDomains(d)).toEqual(["www.alice.example", "alice.example", "other.example"]);
  });
});

/** One record of the arbitrary sets below. */
type Rec =
  | { kind: "claim"; c: ClaimFacts }
  | { kind: "grant"; m: Omit<MandateRecord, "revokedMicros">; signer: Signer }
  | { kind: "revoke"; id: string; micros: bigint; target: string; signer: Signer };

const recsArb = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant("claim" as const), who: fc.constantFrom(...(Object.keys(parties) as (keyof typeof parties)[])), units: fc.subarray([0, 1, 2, 3, 4], { maxLength: 2 }), dh: fc.boolean(), train: fc.constantFrom<Outcome>("y", "n", "unknown"), host: fc.option(fc.constantFrom(...HOSTS)), agent: fc.constantFrom<keyof typeof parties | null>(null, "society", "agentKey", "agentKey"), revoke: fc.boolean() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("grant" as const), by: fc.constantFrom("kS", "kS2", "did:web:society.example"), all: fc.boolean(), from: fc.integer({ min: -2, max: 6 }), len: fc.integer({ min: 1, max: 8 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("revoke" as const), target: fc.nat(), who: fc.constantFrom<keyof typeof parties>("member", "society", "agentKey", "stranger") }) },
    ),
    { minLength: 1, maxLength: 12 },
  )
  .chain((specs) => fc.tuple(fc.constant(specs), fc.shuffledSubarray(specs.map((_, i) => BigInt(i)), { minLength: specs.length, maxLength: specs.length })))
  .map(([specs, times]): Rec[] => {
    const grants: string[] = [];
    return specs.map((s, i): Rec => {
      const micros = T0 + times[i]! * HOUR;
      const id = `id${String(times[i]).padStart(3, "0")}`;
      if (s.kind === "grant") {
        grants.push(id);
        return {
          kind: "grant",
          m: { id, micros, member: "kM", memberIsni: null, agent: s.by, scope: mandateScope(s.all ? { all: true } : { iscc: [] as string[] }), validFromMs: Number((T0 + BigInt(s.from) * HOUR) / 1000n), validUntilMs: Number((T0 + BigInt(s.from + s.len) * HOUR) / 1000n) },
          signer: parties.member!,
        };
      }
      if (s.kind === "revoke") return { kind: "revoke", id, micros, target: grants.length ? grants[s.target % grants.length]! : "none", signer: parties[s.who]! };
      const p = parties[s.agent ?? s.who]!;
      return {
        kind: "claim",
        c: claim({
          id,
          micros,
          ...p,
          intent: s.revoke && !s.agent ? "revoke" : "activate",
          onBehalfOf: s.agent ? "kM" : null,
          units: s.units.map((u) => unit(u)),
          datahash: s.dh ? "1e20" + "ab".repeat(32) : null,
          preferences: prefs(s.train),
          urls: s.host ? [url(`https://${s.host}/p/*`, p)] : [],
        }),
      };
    });
  });

/** Grants with the time of the first revocation that acts on each (as the store derives them). */
function mandatesOf(recs: readonly Rec[]): MandateRecord[] {
  const grants = recs.flatMap((r) => (r.kind === "grant" ? [r] : []));
  const revokes = recs.flatMap((r) => (r.kind === "revoke" ? [r] : []));
  const asFacts = (id: string, s: Signer, over: Partial<Facts>): Facts => ({ id, ...s, intent: "activate", supersedes: null, kind: "mandate", ...over });
  return grants.map(({ m, signer }) => {
    const target = asFacts(m.id, signer, { alsoBy: m.agent });
    const acting = revokes.filter((r) => effectOn(asFacts(r.id, r.signer, { intent: "revoke", supersedes: r.target }), target) === "revoked");
    return { ...m, revokedMicros: acting.length ? acting.map((r) => r.micros).reduce((a, b) => (a < b ? a : b)) : null };
  });
}

/**
 * The detection as the sequencer runs it, over an in-memory store: for each group of arrivals, the
 * pairs of every new declaration and of every declaration made for a member whose mandates
 * changed, with every stored declaration sharing a work (found by brute force here, by the
 * similarity index there), and the domain claims of those and of declarations within a domain
 * whose first verified declaration arrived.
 */
function detect(recs: readonly Rec[], groups: number[][]): Map<string, Conflict> {
  const stored: Rec[] = [];
  const conflicts = new Map<string, Conflict>();
  for (const g of groups) {
    const arrived = g.map((i) => recs[i]!);
    stored.push(...arrived);
    const claims = stored.flatMap((r) => (r.kind === "claim" ? [r.c] : []));
    const mandates = mandatesOf(stored);
    const newClaims = arrived.flatMap((r) => (r.kind === "claim" ? [r.c] : []));
    const members = arrived.flatMap((r) => (r.kind === "grant" ? [r.m.member] : r.kind === "revoke" ? mandates.filter((m) => m.id === r.target).map((m) => m.member) : []));
    const affected = [...newClaims, ...claims.filter((c) => c.onBehalfOf !== null && members.includes(c.onBehalfOf))];
    const owners = new Map<string, ClaimFacts>();
    for (const c of claims) addOwner(owners, c);
    const domains = recheckDomains({ claims: newClaims, members }, owners);
    const pairs = affected.flatMap((a) => claims.filter((b) => sharedWork(a, b) || sharedWork(b, a)).map((b) => [a, b] as const));
    const domainChecks = [...affected, ...claims.filter((c) => claimDomains(c).some((d) => domains.includes(d)))];
    const { holds, decided } = checkConflicts(pairs, domainChecks, mandates, owners);
    for (const id of decided) conflicts.delete(id);
    for (const [id, c] of holds) conflicts.set(id, c);
  }
  return conflicts;
}

describe("any arrival order finds the same conflicts", () => {
  it("equals allConflicts over the set, for every permutation and grouping of declarations, mandates and their revocations", () => {
    let found = 0;
    fc.assert(
      fc.property(
        recsArb.chain((recs) =>
          fc.tuple(fc.constant(recs), fc.shuffledSubarray([...recs.keys()], { minLength: recs.length, maxLength: recs.length }), fc.array(fc.nat({ max: recs.length }), { maxLength: 4 })),
        ),
        ([recs, order, cuts]) => {
          const groups: number[][] = [];
          let cur: number[] = [];
          order.forEach((i, k) => {
            cur.push(i);
            if (cuts.includes(k) || k === order.length - 1) (groups.push(cur), (cur = []));
          });
          const expected = allConflicts(recs.flatMap((r) => (r.kind === "claim" ? [r.c] : [])), mandatesOf(recs));
          found += expected.size;
          expect(detect(recs, groups)).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
    expect(found).toBeGreaterThan(100); // the sets are not trivially free of conflicts
  });
});

describe("the same work identifier", () => {
  it("is a shared work, whatever the codes, and two opposite claims on it conflict", () => {
    const a = claim({ id: "I1", micros: T0, identifiers: ["isrc:USRC17607839"], preferences: { ...unknownPreferences(), "train-ai": "n" } }, "alice");
    const b = claim({ id: "I2", micros: T0 + HOUR, identifiers: ["isrc:USRC17607839", "isbn:9780306406157"], preferences: { ...unknownPreferences(), "train-ai": "y" } }, "stranger");
    expect(sharedWork(b, a)).toEqual({ subject: "identifier", unit_type: null, claim: "isrc:USRC17607839", counterpart: "isrc:USRC17607839", distance: 0 });
    expect(sharedWork(b, claim({ id: "I3", micros: T0, identifiers: ["isrc:GBAYE0000351"] }, "alice"))).toBeNull();
    expect(pairConflicts(a, b, []).map((c) => c.kind)).toContain("opposite-preferences");
  });
});

