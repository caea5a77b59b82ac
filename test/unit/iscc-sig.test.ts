import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createPrivateKey, createPublicKey, sign as osslSign, verify as osslVerify, type KeyObject } from "node:crypto";
import { base58btcDecode, base58btcEncode } from "../../src/encoding/base58";
import { canonicalBytes } from "../../src/encoding/canonical-json";
import { decodeEd25519SecretMultikey, encodeEd25519PublicMultikey } from "../../src/domain/multikey";
import {
  generateKeypair,
  ISCC_SIG_VERSION,
  keypairFromSecret,
  SignatureError,
  signJson,
  verifyJson,
} from "../../src/domain/iscc-sig";
import vectors from "../fixtures/iscc-crypto-vectors.json";

// OpenSSL (through node:crypto) is the independent Ed25519 implementation; it never sees noble.
function osslPublicKey(pub: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), pub]), format: "der", type: "spki" });
}
function osslPrivateKey(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
}
function payloadOf(signed: Record<string, unknown>): Uint8Array {
  const { proof: _p, ...rest } = signed.signature as Record<string, unknown>;
  return canonicalBytes({ ...signed, signature: rest });
}
function proofBytes(signed: { signature: { proof: string } }): Uint8Array {
  return base58btcDecode(signed.signature.proof.slice(1));
}
function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
async function rejection(p: Promise<unknown>): Promise<SignatureError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SignatureError);
    return e as SignatureError;
  }
  throw new Error("expected a SignatureError, but verification succeeded");
}

const declaration = {
  type: "OptOutDeclaration",
  version: 1,
  iscc: "ISCC:KACYPXW445FTYNJ3CYSXHAFJMA2HUWULUNRFE3BLHRSCXYH2M5AEGQY",
  datahash: "1e20" + "ab".repeat(32),
  urls: ["https://example.com/art/*", "https://xn--bcher-kva.example/a.jpg"],
  preferences: { "train-ai": "n", "train-genai": "n", "ai-use": "y", search: "y" },
  intent: "activate",
  policy: "https://example.com/ai-licensing",
  name: "Sonnenuntergang über Lissabon 🌅 — «pôr do sol»",
  timestamp: "2026-11-22T10:00:00.000Z",
  nonce: "0123456789abcdef0123456789abcdef",
  weight: 0.1,
};

describe("iscc-crypto known answers", () => {
  it("sign_raw vector: the W3C eddsa-jcs-2022 key signs the payload to the same proof (noble via keypairFromSecret, and OpenSSL)", async () => {
    const v = vectors.signRaw[0]!;
    const payload = Uint8Array.from(Buffer.from(v.payloadHex, "hex"));
    const seed = decodeEd25519SecretMultikey(v.secretKey);
    const ossl = osslSign(null, payload, osslPrivateKey(seed));
    expect("z" + base58btcEncode(ossl)).toBe(v.proof);
    const kp = keypairFromSecret(v.secretKey);
    expect(encodeEd25519PublicMultikey(kp.publicKey)).toBe(vectors.keys[1]!.publicKey);
  });

  for (const v of vectors.signJson) {
    it(`a document signed by iscc-crypto verifies here: ${v.origin}`, async () => {
      const result = await verifyJson(clone(v.signed));
      expect(result.pubkeyMultikey).toBe(v.signed.signature.pubkey);
      expect(result.controller).toBe("controller" in v ? v.controller : undefined);
      expect(result.keyid).toBeUndefined();
      // And OpenSSL agrees on the same bytes, so the canonicalization is not just self-consistent.
      expect(osslVerify(null, payloadOf(v.signed), osslPublicKey(result.pubkey), proofBytes(v.signed))).toBe(true);
    });

    it(`our signJson reproduces iscc-crypto's output byte for byte: ${v.origin}`, async () => {
      const kp = keypairFromSecret(v.secretKey, "controller" in v ? { controller: v.controller } : undefined);
      const signed = await signJson(clone(v.input), kp);
      // Ed25519 is deterministic, so equal proofs mean equal signed bytes; stringify also checks member order.
      expect(JSON.stringify(signed)).toBe(JSON.stringify(v.signed));
    });
  }
});

describe("signJson / verifyJson round trip with an independent verifier", () => {
  it("a declaration with controller and keyid verifies here and under OpenSSL", async () => {
    const kp = generateKeypair({ controller: "did:web:example.com", keyid: "key-1" });
    const signed = await signJson(declaration, kp);
    expect(Object.keys(signed.signature)).toEqual(["version", "controller", "keyid", "pubkey", "proof"]);
    expect(signed.signature.version).toBe(ISCC_SIG_VERSION);
    expect(signed.signature.pubkey).toBe(encodeEd25519PublicMultikey(kp.publicKey));
    expect(proofBytes(signed).length).toBe(64);
    expect(osslVerify(null, payloadOf(signed), osslPublicKey(kp.publicKey), proofBytes(signed))).toBe(true);

    const result = await verifyJson(JSON.parse(JSON.stringify(signed)));
    expect(result).toEqual({
      pubkey: kp.publicKey,
      pubkeyMultikey: signed.signature.pubkey,
      controller: "did:web:example.com",
      keyid: "key-1",
      // The whole document's text, proof included (the digest's input), made while verifying.
      canonical: new TextDecoder().decode(canonicalBytes(signed)),
    });
  });

  it("a signature made by OpenSSL in the ISCC-SIG layout verifies here", async () => {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const pub = keypairFromSecret(seed).publicKey;
    const doc: Record<string, unknown> = {
      ...declaration,
      signature: { version: ISCC_SIG_VERSION, pubkey: encodeEd25519PublicMultikey(pub) },
    };
    const sig = osslSign(null, canonicalBytes(doc), osslPrivateKey(seed));
    (doc.signature as Record<string, string>).proof = "z" + base58btcEncode(sig);
    await expect(verifyJson(doc)).resolves.toMatchObject({ pubkeyMultikey: encodeEd25519PublicMultikey(pub) });
  });

  it("arbitrary JSON objects signed here verify under OpenSSL", async () => {
    const kp = generateKeypair();
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ unit: "binary" }), fc.jsonValue()), async (obj) => {
        fc.pre(!("signature" in obj));
        const signed = await signJson(obj, kp);
        expect(osslVerify(null, payloadOf(signed), osslPublicKey(kp.publicKey), proofBytes(signed))).toBe(true);
        await verifyJson(JSON.parse(JSON.stringify(signed)));
      }),
      { numRuns: 50 },
    );
  });

  it("does not modify its input and refuses an object that already has a signature", async () => {
    const kp = generateKeypair();
    const input = clone(declaration);
    await signJson(input, kp);
    expect(input).toEqual(declaration);
    await expect(signJson({ a: 1, signature: null }, kp)).rejects.toThrow(/must not contain a 'signature' field/);
    await expect(signJson({ a: NaN }, kp)).rejects.toThrow(/NaN is not representable in JSON at \/a/);
  });

  it("refuses a keypair whose public key does not match its secret", async () => {
    const a = generateKeypair();
    const b = generateKeypair();
    await expect(signJson({ a: 1 }, { secretKey: a.secretKey, publicKey: b.publicKey })).rejects.toThrow(/does not belong/);
  });

  it("keypairFromSecret accepts the seed or its multikey", () => {
    const kp = generateKeypair();
    const fromSeed = keypairFromSecret(kp.secretKey, { keyid: "k" });
    expect(fromSeed.publicKey).toEqual(kp.publicKey);
    expect(fromSeed.keyid).toBe("k");
    expect(fromSeed.controller).toBeUndefined();
    expect(() => keypairFromSecret(new Uint8Array(31))).toThrow(/32 bytes/);
    expect(() => keypairFromSecret(vectors.keys[0]!.publicKey)).toThrow(/wrong multicodec prefix/);
  });
});

describe("verifyJson failures", () => {
  const kp = generateKeypair({ controller: "did:web:example.com", keyid: "key-1" });
  const signedP = signJson(declaration, kp);

  it("tampering with any member of the document or the signature object breaks it", async () => {
    const signed = await signedP;
    const mutations: [string, (d: any) => void][] = [
      ["type", (d) => (d.type = "OptInDeclaration")],
      ["version", (d) => (d.version = 2)],
      ["iscc", (d) => (d.iscc = d.iscc.replace("KAC", "KAD"))],
      ["datahash", (d) => (d.datahash = "1e20" + "ac".repeat(32))],
      ["url added", (d) => d.urls.push("https://evil.example/*")],
      ["url order", (d) => d.urls.reverse()],
      ["preference", (d) => (d.preferences["train-ai"] = "y")],
      ["preference removed", (d) => delete d.preferences.search],
      ["name unicode", (d) => (d.name = d.name.normalize("NFD"))],
      ["timestamp", (d) => (d.timestamp = "2026-11-22T10:00:00.001Z")],
      ["number", (d) => (d.weight = 0.10000000000000002)],
      ["member added", (d) => (d.extra = null)],
      ["member removed", (d) => delete d.policy],
      ["controller", (d) => (d.signature.controller = "did:web:evil.example")],
      ["controller removed", (d) => delete d.signature.controller],
      ["keyid", (d) => (d.signature.keyid = "key-2")],
      ["signature member added", (d) => (d.signature.note = "x")],
    ];
    for (const [what, mutate] of mutations) {
      const doc = clone(signed);
      mutate(doc);
      const err = await rejection(verifyJson(doc));
      expect(err.pointer, what).toBe("/signature/proof");
      expect(err.message, what).toBe("signature does not verify");
    }
  });

  it("a flipped bit anywhere in the proof breaks it", async () => {
    const signed = await signedP;
    const raw = proofBytes(signed);
    for (const i of [0, 31, 32, 63]) {
      const bad = Uint8Array.from(raw);
      bad[i]! ^= 1;
      const doc = clone(signed);
      doc.signature.proof = "z" + base58btcEncode(bad);
      await rejection(verifyJson(doc));
    }
  });

  it("another key, embedded or supplied, fails", async () => {
    const signed = await signedP;
    const other = generateKeypair();
    const swapped = clone(signed);
    swapped.signature.pubkey = encodeEd25519PublicMultikey(other.publicKey);
    expect((await rejection(verifyJson(swapped))).message).toBe("signature does not verify");

    const mismatch = await rejection(verifyJson(clone(signed), { publicKey: other.publicKey }));
    expect(mismatch.pointer).toBe("/signature/pubkey");
    expect(mismatch.message).toMatch(/key mismatch/);

    await expect(verifyJson(clone(signed), { publicKey: kp.publicKey })).resolves.toMatchObject({ keyid: "key-1" });
  });

  it("proof-only signatures need the key from outside", async () => {
    const signed = await signedP;
    const proofOnly = clone(signed) as any;
    delete proofOnly.signature.pubkey;
    delete proofOnly.signature.controller;
    delete proofOnly.signature.keyid;
    // Re-sign without pubkey, as iscc-crypto's PROOF_ONLY mode would.
    const sig = osslSign(null, payloadOf(proofOnly), osslPrivateKey(kp.secretKey));
    proofOnly.signature.proof = "z" + base58btcEncode(sig);
    const missing = await rejection(verifyJson(clone(proofOnly)));
    expect(missing.pointer).toBe("/signature/pubkey");
    expect(missing.message).toMatch(/missing pubkey and no public key supplied/);
    const ok = await verifyJson(clone(proofOnly), { publicKey: kp.publicKey });
    expect(ok.pubkeyMultikey).toBe(signed.signature.pubkey);
    await rejection(verifyJson(clone(proofOnly), { publicKey: generateKeypair().publicKey }));
  });

  it("structural errors name the member", async () => {
    const signed = await signedP;
    const cases: [string, (d: any) => void, string, RegExp][] = [
      ["no signature", (d) => delete d.signature, "/signature", /^missing signature$/],
      ["signature string", (d) => (d.signature = "z123"), "/signature", /must be an object/],
      ["no version", (d) => delete d.signature.version, "/signature/version", /missing signature version/],
      ["wrong version", (d) => (d.signature.version = "ISCC-SIG v2.0"), "/signature/version", /expected 'ISCC-SIG v1.0', got "ISCC-SIG v2.0"/],
      ["no proof", (d) => delete d.signature.proof, "/signature/proof", /missing proof/],
      ["proof number", (d) => (d.signature.proof = 5), "/signature/proof", /must be a string/],
      ["proof base64", (d) => (d.signature.proof = "m" + d.signature.proof.slice(1)), "/signature/proof", /must start with 'z'/],
      ["proof bad char", (d) => (d.signature.proof = "z0" + d.signature.proof.slice(2)), "/signature/proof", /not valid base58btc/],
      ["proof short", (d) => (d.signature.proof = d.signature.proof.slice(0, 40)), "/signature/proof", /64-byte/],
      ["pubkey not z", (d) => (d.signature.pubkey = "f" + d.signature.pubkey.slice(1)), "/signature/pubkey", /bad pubkey: .*must start with 'z'/],
      ["pubkey small-order point", (d) => (d.signature.pubkey = encodeEd25519PublicMultikey(new Uint8Array(32))), "/signature/proof", /does not verify/],
      ["pubkey codec", (d) => (d.signature.pubkey = "z" + base58btcEncode(Uint8Array.from([0x80, 0x26, ...kp.publicKey]))), "/signature/pubkey", /wrong multicodec/],
      ["pubkey length", (d) => (d.signature.pubkey = "z" + base58btcEncode(Uint8Array.from([0xed, 0x01, ...kp.publicKey, 0]))), "/signature/pubkey", /wrong length/],
      ["controller type", (d) => (d.signature.controller = ["did:web:example.com"]), "/signature/controller", /must be a string/],
      ["keyid type", (d) => (d.signature.keyid = 1), "/signature/keyid", /must be a string/],
      ["lone surrogate", (d) => (d.name = "\ud800"), "/name", /cannot canonicalize: string contains a lone UTF-16 surrogate/],
    ];
    for (const [what, mutate, pointer, message] of cases) {
      const doc = clone(signed);
      mutate(doc);
      const err = await rejection(verifyJson(doc));
      expect(err.pointer, what).toBe(pointer);
      expect(err.message, what).toMatch(message);
    }
    expect((await rejection(verifyJson([signed]))).pointer).toBe("");
    expect((await rejection(verifyJson(null))).message).toMatch(/must be a JSON object/);
  });
});
