import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { PNG } from "pngjs";
import { decodeCbor, encodeCbor, CborError, type CborValue } from "../../src/encoding/cbor";
import { C2paError, readTrainingMining, trainingMiningAssertions, trainingMiningFor, trainingMiningPreferences, writeManifestStore } from "../../src/dialects/c2pa";
import { parseSuperbox, readBoxes, writeSuperbox, JumbfError, type Superbox } from "../../src/dialects/jumbf";
import { dataMiningPreferences, dataMiningTermFor, DMI_TERMS, PLUS_VOCAB, readXmp, writeXmp, xmpPreferences } from "../../src/dialects/xmp";
import { embedInJpeg, embedInPng, readEmbeddedMetadata } from "../../src/dialects/image-metadata";
import type { ResolvedPreferences } from "../../src/domain/preferences";

const U = "unknown";
const p = (trainAi: string, aiUse: string, search: string) => ({ "train-ai": trainAi, "draft-ai-use": aiUse, search }) as ResolvedPreferences;
const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));

describe("CBOR (RFC 8949)", () => {
  it("Appendix A examples", () => {
    expect(decodeCbor(hex("00"))).toBe(0);
    expect(decodeCbor(hex("1903e8"))).toBe(1000);
    expect(decodeCbor(hex("3863"))).toBe(-100);
    expect(decodeCbor(hex("1bffffffffffffffff"))).toBe(18446744073709551615n);
    expect(decodeCbor(hex("f93c00"))).toBe(1);
    expect(decodeCbor(hex("fb3ff199999999999a"))).toBe(1.1);
    expect(decodeCbor(hex("6449455446"))).toBe("IETF");
    expect(decodeCbor(hex("83010203"))).toEqual([1, 2, 3]);
    expect({ ...(decodeCbor(hex("a26161016162820203")) as object) }).toEqual({ a: 1, b: [2, 3] });
    expect(decodeCbor(hex("7f657374726561646d696e67ff"))).toBe("streaming");
    expect(decodeCbor(hex("9f018202039f0405ffff"))).toEqual([1, [2, 3], [4, 5]]);
    expect(decodeCbor(hex("c074323031332d30332d32315432303a30343a30305a"))).toBe("2013-03-21T20:04:00Z");
    expect(decodeCbor(hex("a201020304"))).toEqual(new Map([[1, 2], [3, 4]]));
  });

  it("refuses truncated, trailing and duplicate-keyed input", () => {
    for (const bad of ["1903", "8301", "0000", "a2616101616102", "5affffffff00", "ff"]) expect(() => decodeCbor(hex(bad)), bad).toThrow(CborError);
  });

  it("round-trips", () => {
    const value: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.integer(),
        fc.string(),
        fc.uint8Array({ maxLength: 8 }),
        fc.boolean(),
        fc.constant(null),
        fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
        fc.array(tie("v"), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 4 }), tie("v"), { maxKeys: 3 }).map((o) => Object.assign(Object.create(null), o)),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(decodeCbor(encodeCbor(v))).toEqual(v);
      }),
    );
  });
});

describe("JUMBF", () => {
  it("round-trips superboxes and refuses boxes that do not fit", () => {
    const s: Superbox = { uuid: "00112233445566778899aabbccddeeff", label: "a", children: [{ uuid: "ffeeddccbbaa99887766554433221100", label: null, children: [{ type: "cbor", content: Uint8Array.of(1, 2) }] }] };
    const bytes = writeSuperbox(s);
    expect(parseSuperbox(readBoxes(bytes)[0]!.content)).toEqual(s);
    expect(() => readBoxes(bytes.subarray(0, bytes.length - 1))).toThrow(JumbfError);
  });
});

describe("CAWG training-and-data-mining assertion (1.1 §3)", () => {
  it("§3.2's example: generative training not allowed, data mining constrained (treated as not allowed)", () => {
    const a = readTrainingMining("cawg.training-mining", {
      entries: {
        "cawg.ai_training": { use: "allowed" },
        "cawg.ai_generative_training": { use: "notAllowed" },
        "cawg.data_mining": { use: "constrained", constraint_info: "may only be mined on days whose names end in 'y'" },
      },
    });
    // ai_training (non-generative) has no category; data mining reaches the categories not stated more specifically.
    expect(trainingMiningPreferences(a)).toEqual(p("n", "n", "n"));
  });

  it("reads the active (last) manifest of a store, C2PA 1.x labels too, and refuses malformed ones", () => {
    const older = writeManifestStore({ label: "c2pa.training-mining", entries: { "c2pa.ai_inference": { use: "notAllowed" } } });
    const assertions = trainingMiningAssertions(older);
    expect(assertions[0]!.label).toBe("c2pa.training-mining");
    expect(trainingMiningPreferences(assertions[0]!)).toEqual(p(U, "n", U));
    expect(() => readTrainingMining("cawg.training-mining", { entries: { x: { use: "sometimes" } } })).toThrow(C2paError);
    expect(() => readTrainingMining("cawg.training-mining", {})).toThrow(C2paError);
    expect(() => trainingMiningAssertions(Uint8Array.of(0, 0, 0, 8, 0x6a, 0x75, 0x6d))).toThrow(C2paError);
  });

  it("round-trips through a manifest store", () => {
    const outcome = fc.constantFrom<"y" | "n" | "unknown">("y", "n", "unknown");
    fc.assert(
      fc.property(fc.record({ "train-ai": outcome, "draft-ai-use": outcome, search: outcome }), (prefs) => {
        const [a] = trainingMiningAssertions(writeManifestStore(trainingMiningFor(prefs)));
        const expected = prefs["train-ai"] !== U && prefs["draft-ai-use"] !== U ? prefs : { ...prefs, search: U };
        expect(trainingMiningPreferences(a!)).toEqual(expected);
      }),
    );
  });
});

describe("XMP: IPTC plus:DataMining and TDMRep", () => {
  it("every PLUS Data Mining term", () => {
    const expected: Record<string, ResolvedPreferences> = {
      "DMI-UNSPECIFIED": p(U, U, U),
      "DMI-ALLOWED": p("y", "y", "y"),
      "DMI-PROHIBITED-AIMLTRAINING": p("n", U, U),
      "DMI-PROHIBITED-GENAIMLTRAINING": p("n", U, U),
      "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING": p("n", "n", "y"),
      "DMI-PROHIBITED": p("n", "n", "n"),
      "DMI-PROHIBITED-SEECONSTRAINT": p("n", "n", "n"),
      "DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR": p("n", "n", "n"),
      "DMI-PROHIBITED-SEELINKEDRIGHTSEXPR": p("n", "n", "n"),
    };
    for (const term of DMI_TERMS) expect(dataMiningPreferences(term), term).toEqual(expected[term]);
  });

  it("reads the property as attribute, element text or rdf:resource, beside TDMRep's", () => {
    const asAttribute = readXmp(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" plus:DataMining="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"/></rdf:RDF></x:xmpmeta>`);
    expect(asAttribute.dataMining!.term).toBe("DMI-PROHIBITED");
    const asText = readXmp(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" xmlns:tdm="http://www.w3.org/ns/tdmrep/">
      <plus:DataMining>DMI-ALLOWED</plus:DataMining><tdm:reservation>1</tdm:reservation><tdm:policy>https://publisher.com/policies/policy.json</tdm:policy></rdf:Description></rdf:RDF>`);
    expect(asText.dataMining!.term).toBe("DMI-ALLOWED");
    expect(asText.tdm).toEqual({ reservation: 1, raw: "1", policy: "https://publisher.com/policies/policy.json" });
    expect(xmpPreferences(asText).tdm).toEqual(p("n", "n", "n"));
    expect(readXmp(writeXmp({ dataMining: { value: PLUS_VOCAB + "DMI-FOO", term: null } })).dataMining!.term).toBeNull();
  });

  it("round-trips the terms that say a vocabulary state exactly", () => {
    const outcome = fc.constantFrom<"y" | "n" | "unknown">("y", "n", "unknown");
    fc.assert(
      fc.property(fc.record({ "train-ai": outcome, "draft-ai-use": outcome, search: outcome }), (prefs) => {
        const term = dataMiningTermFor(prefs);
        if (term === null) return;
        const back = readXmp(writeXmp({ dataMining: { value: PLUS_VOCAB + term, term } }));
        expect(dataMiningPreferences(back.dataMining!.term)).toEqual(prefs);
      }),
    );
  });
});

describe("containers", () => {
  const png = () => {
    const img = new PNG({ width: 2, height: 2 });
    img.data.fill(200);
    return new Uint8Array(PNG.sync.write(img));
  };
  const jpeg = Uint8Array.of(0xff, 0xd8, 0xff, 0xdb, 0x00, 0x04, 0x00, 0x00, 0xff, 0xda, 0x00, 0x02, 0xff, 0xd9);
  const xmp = writeXmp({ dataMining: { value: PLUS_VOCAB + "DMI-PROHIBITED-AIMLTRAINING", term: "DMI-PROHIBITED-AIMLTRAINING" } });
  const store = writeManifestStore(trainingMiningFor(p("n", "y", U)));

  it("PNG: an iTXt XMP packet and a caBX manifest store", async () => {
    const m = await readEmbeddedMetadata(embedInPng(png(), { xmp, manifestStore: store }));
    expect(m.format).toBe("png");
    expect(readXmp(m.xmp[0]!).dataMining!.term).toBe("DMI-PROHIBITED-AIMLTRAINING");
    expect(trainingMiningPreferences(trainingMiningAssertions(m.manifestStores[0]!)[0]!)).toEqual(p("n", "y", U));
    // pngjs still decodes the file: the chunks are well-formed.
    expect(PNG.sync.read(Buffer.from(embedInPng(png(), { xmp, manifestStore: store }))).width).toBe(2);
  });

  it("JPEG: APP1 XMP and a manifest store split over several APP11 segments", async () => {
    const big = writeManifestStore({ label: "cawg.training-mining", entries: { "cawg.ai_generative_training": { use: "notAllowed", constraint_info: "x".repeat(3000) } } });
    const m = await readEmbeddedMetadata(embedInJpeg(jpeg, { xmp, manifestStore: big }, 1000));
    expect(m.format).toBe("jpeg");
    expect(m.xmp).toHaveLength(1);
    expect(m.manifestStores[0]).toEqual(big);
    expect(trainingMiningPreferences(trainingMiningAssertions(m.manifestStores[0]!)[0]!)["train-ai"]).toBe("n");
  });

  it("says what it cannot read", async () => {
    expect((await readEmbeddedMetadata(new TextEncoder().encode("GIF89a"))).problems).toEqual(["not a JPEG, PNG or WebP file"]);
    expect((await readEmbeddedMetadata(jpeg.subarray(0, 5))).problems).toEqual([]);
  });
});
