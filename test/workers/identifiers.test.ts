import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { declaration, get, newKey, post, tableCounts } from "./helpers";
import { addTestPeer, deliverFrom, registeredAt } from "./peer-delivery";

/** Work identifiers as subjects: stored canonical, looked up in any spelling, matched exactly. */

const ISRC = "USRC17607839";
const ISBN = "9780306406157";
const DOI = "10.1000/182";

async function register(fields: Record<string, unknown>, key = newKey()) {
  const d = await declaration(key, fields);
  const res = await post("/v1/declarations", d);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { d, key, id: res.body.id as string };
}

describe("declarations naming work identifiers", () => {
  it("are registered with their identifiers stored as subjects, and found in any spelling", async () => {
    const { id } = await register({ identifiers: { isrc: [ISRC], isbn: [ISBN], doi: [DOI] }, preferences: { "train-ai": "n" } });
    const rows = await env.DB.prepare("SELECT w.kind AS kind, w.value AS value FROM work_identifiers w JOIN declarations d ON d.seq = w.seq WHERE d.id = ?1 ORDER BY w.kind")
      .bind(id)
      .all();
    expect(rows.results).toEqual([
      { kind: "doi", value: DOI },
      { kind: "isbn", value: ISBN },
      { kind: "isrc", value: ISRC },
    ]);

    // The printed ISRC, the ISBN-10 of the same book, the DOI as a resolver link.
    for (const [param, value, key] of [
      ["isrc", "ISRC US-RC1-76-07839", `isrc:${ISRC}`],
      ["isbn", "0-306-40615-2", `isbn:${ISBN}`],
      ["doi", "https://doi.org/10.1000/182", `doi:${DOI}`],
    ] as const) {
      const res = await get(`/v1/lookup?${param}=${encodeURIComponent(value)}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ identifier: `${param}:${value}`, normalized: key, opted_out: true, preferences: { "train-ai": "n" } });
      expect(res.body.declarations).toEqual([
        expect.objectContaining({ id, identifier: key, verification: "self-asserted", vocabulary: 1, preferences: { "train-ai": "n" } }),
      ]);
      expect(res.headers.get("content-usage")).toBe("train-ai=n");
    }
  });

  it("answers a batch of identifiers in order beside URLs, each bad one with its own error", async () => {
    const { id } = await register({ identifiers: { iswc: ["T0345246801"] } });
    const res = await post("/v1/lookup", {
      urls: ["https://nothing.example/a"],
      identifiers: ["iswc:T-034.524.680-1", "isni:0000 0001 2103 2684", "iswc:T0000000010", "ean:4006381333931"],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results).toHaveLength(1);
    const [hit, badCheck, none, badKind] = res.body.identifiers;
    expect(hit).toMatchObject({ normalized: "iswc:T0345246801", opted_out: true, declarations: [{ id, identifier: "iswc:T0345246801" }] });
    expect(badCheck).toEqual({ identifier: "isni:0000 0001 2103 2684", error: { pointer: "/identifiers/1", detail: "check character is 4, expected 3" } });
    expect(none).toMatchObject({ identifier: "iswc:T0000000010", normalized: "iswc:T0000000010", opted_out: false, declarations: [] });
    expect(badKind.error.pointer).toBe("/identifiers/3");
    // Identifiers alone: `results` is empty, not missing.
    const only = await post("/v1/lookup", { identifiers: ["iswc:T0345246801"] });
    expect(only.body.results).toEqual([]);
    expect(only.body.identifiers[0].declarations[0].id).toBe(id);
  });

  it("stop matching once revoked; an update's identifiers replace the old ones", async () => {
    const isrc = "GBEMI0300013";
    const { id, key } = await register({ identifiers: { isrc: [isrc] } });
    const update = await declaration(key, { intent: "update", supersedes: id, identifiers: { isrc: [isrc] }, preferences: { "train-ai": "n", search: "n" } });
    const updated = await post("/v1/declarations", update);
    expect(updated.status).toBe(201);
    const after = await get(`/v1/lookup?isrc=${isrc}`);
    expect(after.body.declarations.map((d: { id: string }) => d.id)).toEqual([updated.body.id]);
    const revoke = await declaration(key, { intent: "revoke", supersedes: updated.body.id, preferences: undefined, identifiers: { isrc: [isrc] } });
    expect((await post("/v1/declarations", revoke)).status).toBe(201);
    const gone = await get(`/v1/lookup?isrc=${isrc}`);
    expect(gone.body).toMatchObject({ opted_out: false, declarations: [] });
  });

  it("combine with every other declaration of the same identifier: any n wins", async () => {
    const isni = "0000000218250097";
    await register({ identifiers: { isni: [isni] }, vocabulary: 2, preferences: { search: "y" } });
    await register({ identifiers: { isni: [isni] }, vocabulary: 2, preferences: { search: "n", "train-ai": "n" } });
    const res = await get(`/v1/lookup?isni=0000-0002-1825-0097`);
    expect(res.body.declarations).toHaveLength(2);
    expect(res.body.preferences.search).toBe("n");
    expect(res.body.preferences["train-ai"]).toBe("n");
  });

  it("a `y` is cited but is not consent: nobody can prove who holds a work's rights", async () => {
    const isbn = "9781566199094";
    const { id } = await register({ identifiers: { isbn: [isbn] }, vocabulary: 2, preferences: { "train-ai": "y", search: "n" } });
    const res = await get(`/v1/lookup?isbn=1-56619-909-3`);
    expect(res.body.declarations).toEqual([expect.objectContaining({ id, verification: "self-asserted", preferences: { "train-ai": "y", search: "n" } })]);
    expect(res.body.preferences).toMatchObject({ "train-ai": "unknown", search: "n" });
    expect(res.headers.get("content-usage")).toBe("search=n");
  });

  it("a declaration naming 100 identifiers is stored whole (inserts cut to the 100 bound parameters) and found by a batch", async () => {
    const isrcs = Array.from({ length: 100 }, (_, i) => `QZES8${String(i).padStart(7, "0")}`);
    const { id } = await register({ identifiers: { isrc: isrcs } });
    const res = await post("/v1/lookup", { identifiers: isrcs.map((v) => `isrc:${v}`) });
    expect(res.status).toBe(200);
    expect(res.body.identifiers.map((a: { declarations: { id: string }[] }) => a.declarations.map((d) => d.id))).toEqual(isrcs.map(() => [id]));
  });
});

describe("bad identifiers get a problem naming the field, and change nothing", () => {
  const cases: [string, unknown, string, RegExp][] = [
    ["a wrong check digit", { isbn: ["9780306406158"] }, "/identifiers/isbn/0", /check digit is 8, expected 7/],
    ["a valid identifier not in canonical form", { isrc: ["US-RC1-76-07839"] }, "/identifiers/isrc/0", /write "USRC17607839"/],
    ["an ISBN-10 (canonical is its ISBN-13)", { isbn: ["0306406152"] }, "/identifiers/isbn/0", /write "9780306406157"/],
    ["a DOI in lower case", { doi: ["10.1038/nature12373"] }, "/identifiers/doi/0", /write "10.1038\/NATURE12373"/],
    ["an unknown kind", { ean: ["4006381333931"] }, "/identifiers/ean", /unknown field/],
    ["an empty list", { isrc: [] }, "/identifiers/isrc", /.+/],
    ["no identifier at all", {}, "/identifiers", /names no identifier/],
    ["a number instead of a string", { iswc: [345246801] }, "/identifiers/iswc/0", /.+/],
  ];
  it.each(cases)("%s", async (_what, identifiers, pointer, detail) => {
    const before = await tableCounts();
    const d = await declaration(newKey(), { identifiers });
    const res = await post("/v1/declarations", d);
    expect(res.status).toBe(422);
    expect(res.type).toContain("application/problem+json");
    const error = res.body.errors.find((e: { pointer: string }) => e.pointer === pointer);
    expect(error, JSON.stringify(res.body.errors)).toBeDefined();
    expect(error.detail).toMatch(detail);
    expect(await tableCounts()).toEqual(before);
  });

  it("more than 100 identifiers in all", async () => {
    const isrcs = Array.from({ length: 60 }, (_, i) => `USRC1760${String(i).padStart(4, "0")}`);
    const isrcs2 = Array.from({ length: 41 }, (_, i) => `GBEMI030${String(i).padStart(4, "0")}`);
    const res = await post("/v1/declarations", await declaration(newKey(), { identifiers: { isrc: [...isrcs, ...isrcs2] } }));
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual({ pointer: "/identifiers/isrc", detail: expect.stringMatching(/100/) });
  });

  it("lookups: no subject, two subjects, a bad identifier, an unknown parameter", async () => {
    const none = await get("/v1/lookup");
    expect(none.status).toBe(422);
    expect(none.body.errors[0]).toEqual({ pointer: "", detail: "give one of url, isrc, iswc, isni, isbn, doi" });
    const two = await get(`/v1/lookup?isrc=${ISRC}&doi=${DOI}`);
    expect(two.status).toBe(422);
    expect(two.body.errors[0].pointer).toBe("/doi");
    const bad = await get("/v1/lookup?iswc=T0345246802");
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([{ pointer: "/iswc", detail: "check digit is 2, expected 1" }]);
    const unknown = await get("/v1/lookup?ean=4006381333931");
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].pointer).toBe("/ean");
    const empty = await post("/v1/lookup", { identifiers: [] });
    expect(empty.status).toBe(422);
  });
});

describe("federation", () => {
  it("registers a delivered declaration's identifiers, checked the same way; a bad one fails alone", async () => {
    const peer = await addTestPeer("identifiers-peer.test", 41);
    const good = await registeredAt(peer, await declaration(newKey(), { identifiers: { doi: ["10.5555/12345678"] } }));
    const bad = await registeredAt(peer, await declaration(newKey(), { identifiers: { doi: ["10.5555/abc"] } }));
    const before = await tableCounts();
    const res = await deliverFrom(peer, [good, bad]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [ok, refused] = res.body.results;
    expect(ok.outcome).toBe("created");
    expect(refused.outcome).toBe("invalid");
    expect(JSON.stringify(refused)).toContain("/identifiers/doi/0");
    const after = await tableCounts();
    expect(after.declarations).toBe(before.declarations! + 1);
    expect(after.work_identifiers).toBe(before.work_identifiers! + 1);
    const found = await get("/v1/lookup?doi=doi:10.5555/12345678");
    expect(found.body.declarations.map((d: { id: string }) => d.id)).toEqual([good.receipt.id]);
  });
});

describe("the API description", () => {
  it("documents the identifier parameters, the member and the answers", async () => {
    const doc = (await get("/openapi.json")).body;
    const params = doc.paths["/v1/lookup"].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(["url", "isrc", "iswc", "isni", "isbn", "doi"]));
    expect(Object.keys(doc.components.schemas.Declaration.properties.identifiers.properties)).toEqual(["isrc", "iswc", "isni", "isbn", "doi"]);
    expect(doc.components.schemas.IdentifierLookup).toBeDefined();
    expect(doc.components.schemas.LookupBatchRequest.properties.identifiers).toBeDefined();
  });
});
