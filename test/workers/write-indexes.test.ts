import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { prepareDeclaration } from "../../src/domain/declaration";
import type { Declaration } from "../../src/domain/declaration-schema";
import { encodeUnit, genIsccCodeV0, genIsccIdV1, MainType } from "../../src/iscc/index";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { seqsNamingUnits, unitsOfTypeIn, UNITS_OF_TYPE_IN } from "../../src/store/iscc-units";
import type { Receipt } from "../../src/store/receipt";
import { registrationRows, registrationWrites, type NewDeclaration } from "../../src/store/registrations";
import { contentUnit, declaration, newKey, randomBody } from "./helpers";

const plan = async (sql: string, ...params: unknown[]) =>
  ((await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>()).results).map((r) => r.detail).join(" | ");

/** What a group commit writes, and that the reads of what it writes still find their index. */
describe("the write path's indexes", () => {
  it("a declaration without also_by, controller or supersedes writes one row and three index entries; its units are found by seq", async () => {
    const start = 700_000;
    const micros = BigInt(Date.now()) * 1000n;
    const news: NewDeclaration[] = [];
    for (let i = 0; i < 3; i++) {
      const iscc = genIsccCodeV0([contentUnit(randomBody()), encodeUnit(MainType.DATA, 0, 0, 64, randomBody()), encodeUnit(MainType.INSTANCE, 0, 0, 64, randomBody())]).iscc;
      const prepared = prepareDeclaration((await declaration(newKey(), { iscc })) as unknown as Declaration, null);
      const id = genIsccIdV1({ timestampMicros: micros + BigInt(i), hubId: 1 });
      const receipt = { type: "OptOutReceipt", id, seq: start + i, digest: prepared.digest, registered_at: new Date().toISOString(), registry: "indexes.test" } as unknown as Receipt;
      news.push({ seq: start + i, id, status: "active", receipt, prepared, origin: "indexes.test", receivedFrom: null });
    }
    const rows = registrationRows(news, new Date().toISOString());
    const [inserted] = await env.DB.batch(registrationWrites(env.DB, rows, []));
    // The row, declarations_id, declarations_digest, declarations_declarant: the partial indexes hold no null.
    expect(inserted!.meta.rows_written).toBe(4 * news.length);

    const [content, , instance] = rows.isccUnits;
    const seqs = [start + 2, start, start, start + 1, start + 9];
    const found = await unitsOfTypeIn(env.DB, content!.unitType, seqs);
    expect(found.map((u) => u.seq).sort()).toEqual([start, start + 1, start + 2]);
    expect(found.find((u) => u.seq === start)).toEqual({ seq: start, code: content!.code, body_hex: content!.bodyHex });
    expect(await unitsOfTypeIn(env.DB, instance!.unitType, [start])).toEqual([{ seq: start, code: instance!.code, body_hex: instance!.bodyHex }]);
    // Each seq one seek of iscc_units_seq, never every unit of the type.
    const unitsPlan = await plan(UNITS_OF_TYPE_IN, content!.unitType, JSON.stringify(seqs));
    expect(unitsPlan).toContain("USING INDEX iscc_units_seq");
    expect(unitsPlan).not.toMatch(/SCAN (u|iscc_units)\b/);
  });

  it("the declarations naming a unit are found by a seek of its type and first band, not a scan of every unit", async () => {
    const { sql, params } = new SQLiteSyncDialect().sqlToQuery(seqsNamingUnits([{ unitType: "CONTENT_IMAGE_V0", b0: 4660, code: "ISCC:EEA" }]));
    const p = await plan(`SELECT seq FROM declarations WHERE seq IN (${sql})`, ...params);
    expect(p).toContain("USING INDEX iscc_units_b0");
    expect(p).not.toMatch(/SCAN (u|iscc_units)\b/);
  });

  it("reads by also_by, controller and supersedes are answered from their partial indexes", async () => {
    const list = "(SELECT value FROM json_each(?))";
    expect(await plan(`SELECT seq FROM declarations WHERE kind = ? AND also_by IN ${list}`, "declaration", "[]")).toContain("declarations_also_by");
    expect(await plan(`SELECT seq FROM declarations WHERE seq > ? AND kind = ? AND also_by = ? ORDER BY seq`, 0, "declaration", "x")).toContain("declarations_also_by");
    expect(await plan(`SELECT seq FROM declarations WHERE kind = ? AND controller_verified = ? AND intent <> ? AND controller IN ${list}`, "declaration", 1, "revoke", "[]")).toContain(
      "declarations_controller",
    );
    expect(await plan(`SELECT seq FROM declarations WHERE declarant = ?1 OR (controller = ?1 AND controller_verified = 1)`, "z")).toContain("declarations_controller");
    expect(await plan(`SELECT id FROM declarations WHERE supersedes IN ${list}`, "[]")).toContain("declarations_supersedes");
  });
});
