import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { catalogRow, CatalogError, rowTerms } from "../../src/catalog/catalog-row";
import { catalogRows } from "../../src/catalog/catalog-rows";
import { catalogTextRows } from "../../src/catalog/catalog-text";
import { preferencesOfFlags } from "../../src/domain/preference-flags";

const MEMBER = "did:web:member.example";
const CSV = [
  "iscc,url,isni,name,member,train-ai,all",
  'ISCC:KECWRY3VY6R5SNV4YNBTBHR4T2HGP3HKVFO7TYUP2BKVFG724W63HVI,"https://a.example/x/* https://a.example/y.jpg",0000 0001 2103 2683,"Sunset, Lisbon",,n,',
  `,https://b.example/*,,,${MEMBER},,y`,
  "",
].join("\r\n");
const JSONL = [
  JSON.stringify({ iscc: "ISCC:KECWRY3VY6R5SNV4YNBTBHR4T2HGP3HKVFO7TYUP2BKVFG724W63HVI", urls: ["https://a.example/x/*", "https://a.example/y.jpg"], isni: "0000 0001 2103 2683", name: "Sunset, Lisbon", "train-ai": "n" }),
  "",
  JSON.stringify({ url: "https://b.example/*", member: MEMBER, all: "y" }),
].join("\n");

describe("catalogs as text (the web app's declare page) read as optout import reads files", () => {
  let dir = "";
  afterAll(async () => dir && rm(dir, { recursive: true, force: true }));

  it("gives the same rows, keys and terms from CSV and JSONL text as from the files", async () => {
    dir = await mkdtemp(join(tmpdir(), "catalog-text-"));
    for (const [name, text] of [["works.csv", CSV], ["works.jsonl", JSONL]] as const) {
      await writeFile(join(dir, name), text);
      const fromFile = [];
      for await (const r of catalogRows(join(dir, name))) fromFile.push({ ...r, where: r.where.replace(join(dir, name), name) });
      const fromText = catalogTextRows(text, name);
      expect(fromText).toEqual(fromFile);
      expect(fromText.map((r) => r.where)).toEqual(name.endsWith(".csv") ? ["works.csv:2", "works.csv:3"] : ["works.jsonl:1", "works.jsonl:3"]);
    }
    const [a, b] = catalogTextRows(CSV, "works.csv");
    expect(catalogTextRows(JSONL, "works.jsonl").map((r) => r.key)).toEqual([a!.key, b!.key]);
    expect(rowTerms(a!, preferencesOfFlags(a!.preferences, { search: "y" }), "z6MkDefaultMember")).toEqual({
      iscc: "ISCC:KECWRY3VY6R5SNV4YNBTBHR4T2HGP3HKVFO7TYUP2BKVFG724W63HVI",
      urls: ["https://a.example/x/*", "https://a.example/y.jpg"],
      identifiers: { isni: ["0000000121032683"] },
      name: "Sunset, Lisbon",
      on_behalf_of: "z6MkDefaultMember",
      preferences: { search: "y", "train-ai": "n" },
    });
    expect(rowTerms(b!, preferencesOfFlags(b!.preferences), "z6MkDefaultMember")).toEqual({
      urls: ["https://b.example/*"],
      on_behalf_of: MEMBER,
      preferences: { "train-ai": "y", "draft-ai-use": "y", search: "y" },
    });
  });

  it("names the line of a bad row, a row without subject, and a file of another kind", () => {
    expect(() => catalogTextRows('{"url": "https://a.example/"}\n{not json', "w.jsonl")).toThrow(/^w\.jsonl:2: not JSON/);
    expect(() => catalogTextRows("[1]", "w.jsonl")).toThrow("w.jsonl:1: a row must be a JSON object");
    expect(() => catalogTextRows("name,url\nonly a name,", "w.csv")).toThrow("w.csv:2: the row has no subject");
    expect(() => catalogTextRows('url\n"unclosed', "w.csv")).toThrow(CatalogError);
    expect(() => catalogTextRows("url\nhttps://a.example/", "w.xlsx")).toThrow("a catalog must be .csv, .jsonl or .ndjson");
    expect(() => rowTerms(catalogRow({ url: "https://a.example/", isni: "0000000121032684" }, 0, "w.csv:2"), {})).toThrow(/isni:0000000121032684/);
    expect(() => preferencesOfFlags({ "train-ai": "no" })).toThrow('--train-ai takes y or n, got "no"');
  });
});
