import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { prepareDeclaration } from "../../src/domain/declaration";
import type { Declaration } from "../../src/domain/declaration-schema";
import { encodeUnit, genIsccCodeV0, genIsccIdV1, MainType } from "../../src/iscc/index";
import { CommittedArrivals } from "../../src/store/committed-arrivals";
import { loadClaims } from "../../src/store/conflict-detection";
import { openDb } from "../../src/store/db";
import type { Receipt } from "../../src/store/receipt";
import { registrationRows, registrationWrites, type NewDeclaration } from "../../src/store/registrations";
import { contentUnit, declaration, newKey, randomBody } from "./helpers";

/**
 * Conflict detection takes the claims of what the sequencer just committed from memory
 * (CommittedArrivals) instead of reading them back: they must be exactly what loadClaims reads
 * back from D1 for the same rows, for every kind of subject.
 */
describe("claims held by the sequencer", () => {
  it("equal the claims read back from D1, record for record, and nothing outside a gapless run is taken from memory", async () => {
    const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    const instance = randomBody(32);
    const owner = newKey("did:web:held.example");
    const bodies = [
      await declaration(newKey(), { urls: ["https://a.held.example/x/*", "https://a.held.example/page", "https://*.b.held.example/*"], preferences: { "train-ai": "n" } }),
      await declaration(newKey(), {
        iscc: genIsccCodeV0([contentUnit(randomBody()), encodeUnit(MainType.DATA, 0, 0, 64, randomBody()), encodeUnit(MainType.INSTANCE, 0, 0, 256, instance)]).iscc,
        datahash: "1e20" + hex(instance),
        preferences: { "train-genai": "y", search: "n" },
      }),
      await declaration(newKey(), { identifiers: { isrc: ["USRC17607839"], doi: ["10.1000/182"] }, vocabulary: 2, preferences: { "train-ai": "n" } }),
      await declaration(owner, { urls: ["https://held.example/*"] }),
      await declaration(newKey(), { intent: "revoke", supersedes: genIsccIdV1({ timestampMicros: 1n, hubId: 1 }), preferences: undefined, urls: ["https://gone.held.example/*"] }),
    ];
    const start = 900_000;
    const micros = BigInt(Date.now()) * 1000n;
    const news: NewDeclaration[] = bodies.map((b, i) => {
      const controller = (b as { signature: { controller?: string; pubkey: string } }).signature;
      const verification = controller.controller ? { controller: controller.controller, pubkey: controller.pubkey, verified: true, domain: "held.example" } : null;
      const prepared = prepareDeclaration(b as unknown as Declaration, verification);
      const id = genIsccIdV1({ timestampMicros: micros + BigInt(i), hubId: 1 });
      const receipt = { type: "OptOutReceipt", id, seq: start + i, digest: prepared.digest, registered_at: new Date().toISOString(), registry: "held.test" } as unknown as Receipt;
      return { seq: start + i, id, status: "active", receipt, prepared, origin: "held.test", receivedFrom: null };
    });
    // The first three as one group, an observation's seq, then the rest as the next group.
    const held = new CommittedArrivals();
    const first = news.slice(0, 3);
    const second = news.slice(3).map((d) => ({ ...d, seq: d.seq + 1 }));
    for (const group of [first, second]) {
      const rows = registrationRows(group, new Date().toISOString());
      await env.DB.batch(registrationWrites(env.DB, rows, []));
      held.committed(rows);
      if (group === first) held.observed(start + 3);
    }
    const last = start + news.length;

    const db = openDb(env.DB);
    const fromMemory = held.range(start - 1, last);
    expect(fromMemory).not.toBeNull();
    const seqs = [...first, ...second].map((d) => d.seq);
    expect(fromMemory!.arrived).toEqual(
      (await env.DB.prepare("SELECT seq, id, kind, supersedes FROM declarations WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq").bind(start, last).all()).results,
    );
    const fromD1 = await loadClaims(db, seqs);
    expect(fromD1).toHaveLength(5);
    expect(fromD1.find((c) => c.domain === "held.example")).toBeDefined();
    expect(fromD1.find((c) => c.datahash && c.units.length === 3)).toBeDefined();
    expect(fromD1.find((c) => c.identifiers?.length === 2)).toBeDefined();
    expect(fromMemory!.claims).toEqual(fromD1);
    // The observation's seq holds no claim, and is not missing either (D1 has no declaration there).
    expect(held.claims([start + 3, start + 1])).toEqual({ claims: [fromD1[1]], missing: [] });

    // Outside the held run: null, or listed as missing, so detection reads D1.
    expect(held.range(start - 2, last)).toBeNull();
    expect(held.range(start - 1, last + 1)).toBeNull();
    expect(held.claims([start - 1, last + 1]).missing).toEqual([start - 1, last + 1]);
    // Detection passed the first group: it is no longer held.
    held.passed(start + 2);
    expect(held.range(start - 1, last)).toBeNull();
    expect(held.range(start + 2, last)!.claims).toEqual(fromD1.slice(3));
    // A group that does not follow the held run gaplessly starts a new run.
    const later = [{ ...news[0]!, seq: last + 5, id: genIsccIdV1({ timestampMicros: micros + 99n, hubId: 1 }) }];
    held.committed(registrationRows(later, new Date().toISOString()));
    expect(held.range(start + 2, last)).toBeNull();
    expect(held.range(last + 4, last + 5)!.arrived.map((a) => a.seq)).toEqual([last + 5]);
  });
});
