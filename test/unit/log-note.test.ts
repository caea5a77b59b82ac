import * as ed from "@noble/ed25519";
import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../../src/encoding/base64";
import {
  ed25519KeyId,
  ed25519Signer,
  formatSignerKey,
  formatVerifierKey,
  generateNoteKey,
  InvalidSignatureError,
  isValidKeyName,
  MalformedNoteError,
  NoteKeyError,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  UnverifiedNoteError,
  type Note,
} from "../../src/log/note.js";
import vectors from "../fixtures/tlog-vectors.json";

const go = vectors.goNote;
const peter = parseVerifierKey(go.verifierKey);
const enoch = parseVerifierKey(go.enochVerifierKey);
const peterSigB64 = go.peterSig.slice("— PeterNeumann ".length, -1);
const enochSigB64 = go.enochSig.slice("— EnochRoot ".length, -1);

function catchError(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("base64", () => {
  it("decodes only the canonical padded encoding", () => {
    expect(decodeBase64("AAEC")).toEqual(new Uint8Array([0, 1, 2]));
    expect(decodeBase64("AAE=")).toEqual(new Uint8Array([0, 1]));
    expect(encodeBase64(new Uint8Array([0, 1]))).toBe("AAE=");
    for (const bad of ["AAE", "AAF=", "AA E=", "AAE=\n", "AAE-", "AA==AA==", "A==="]) expect(decodeBase64(bad)).toBeNull();
  });
});

describe("keys (Go sumdb/note vectors)", () => {
  it("parses the Go signer and verifier keys and reproduces them", () => {
    const signer = parseSignerKey(go.signerKey);
    expect(signer.name).toBe("PeterNeumann");
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(peter.name).toBe("PeterNeumann");
    expect(peter.keyId).toBe(0xc74f20a3);
    expect(enoch.keyId).toBe(0xaf0cfe78);
    const seed = decodeBase64(go.signerKey.split("+").slice(4).join("+"))!.subarray(1);
    expect(formatSignerKey("PeterNeumann", seed)).toBe(go.signerKey);
    expect(formatVerifierKey("PeterNeumann", ed.getPublicKey(seed))).toBe(go.verifierKey);
    expect(ed25519KeyId("PeterNeumann", decodeBase64(go.verifierKey.split("+").slice(2).join("+"))!.subarray(1))).toBe(0xc74f20a3);
  });

  it("rejects every proper substring and every single-character change of the keys", () => {
    for (const [key, parse] of [
      [go.verifierKey, parseVerifierKey],
      [go.signerKey, parseSignerKey],
    ] as const) {
      for (let i = 0; i <= key.length; i++) {
        for (let j = i + 1; j <= key.length; j++) {
          if (i === 0 && j === key.length) continue;
          expect(() => parse(key.slice(i, j)), key.slice(i, j)).toThrow(NoteKeyError);
        }
      }
      for (let i = 0; i < key.length; i++) {
        const changed = key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1);
        expect(() => parse(changed), changed).toThrow(NoteKeyError);
      }
    }
    for (const { key } of go.badVerifierKeys) expect(() => parseVerifierKey(key)).toThrow(NoteKeyError);
  });

  it("says what is wrong with a key", () => {
    // Go rejects this one for its length; its last base64 character also has stray low bits.
    expect(catchError(() => parseVerifierKey(go.badVerifierKeys[0]!.key)).message).toMatch(/not canonical base64/);
    const long = encodeBase64(new Uint8Array([1, ...new Uint8Array(33)]));
    expect(catchError(() => parseVerifierKey(`PeterNeumann+c74f20a3+${long}`)).message).toMatch(/must be 32 bytes, got 33/);
    expect(catchError(() => parseVerifierKey(go.badVerifierKeys[1]!.key)).message).toMatch(/unsupported verifier key algorithm 0x65/);
    expect(catchError(() => parseVerifierKey(go.verifierKey.replace("c74f20a3", "c74f20a4"))).message).toMatch(/key id c74f20a4 does not match its key \(c74f20a3\)/);
    expect(catchError(() => parseVerifierKey(go.verifierKey.replace("c74f20a3", "C74F20A3"))).message).toMatch(/lower-case hex/);
    expect(catchError(() => parseSignerKey(go.verifierKey)).message).toMatch(/PRIVATE\+KEY\+/);
  });

  it("validates key names like Go (no Unicode space, no plus)", () => {
    for (const bad of ["", "a b", "a+b", "a\u00a0b", "a\u0085b", "a\u2003b", "a\nb", "\ud800"]) expect(isValidKeyName(bad), bad).toBe(false);
    for (const good of ["PeterNeumann", "example.com/log42", "é—x"]) expect(isValidKeyName(good)).toBe(true);
  });

  it("generates a working key pair", () => {
    const { signerKey, verifierKey } = generateNoteKey("example.org/log");
    const msg = signNote("hello\n", parseSignerKey(signerKey));
    expect(openNote(msg, [parseVerifierKey(verifierKey)]).text).toBe("hello\n");
  });
});

describe("signNote", () => {
  it("reproduces Go's signed note byte for byte", () => {
    expect(signNote(go.text, parseSignerKey(go.signerKey))).toBe(`${go.text}\n${go.peterSig}`);
  });

  it("refuses text that could not be opened", () => {
    const s = parseSignerKey(go.signerKey);
    expect(() => signNote("abc", s)).toThrow(/must end with a newline/);
    expect(() => signNote("a\tb\n", s)).toThrow(/control character U\+0009 at offset 1/);
    expect(() => signNote("a\ud800\n", s)).toThrow(MalformedNoteError);
    expect(() => signNote("abc\n", { ...s, name: "bad name" })).toThrow(NoteKeyError);
  });
});

describe("openNote (Go sumdb/note TestOpen cases)", () => {
  const signed = `${go.text}\n${go.peterSig}${go.enochSig}`;
  const peterSig = { name: "PeterNeumann", keyId: 0xc74f20a3, base64: peterSigB64 };
  const enochSig = { name: "EnochRoot", keyId: 0xaf0cfe78, base64: enochSigB64 };

  it("verifies known keys and keeps unknown ones unverified", () => {
    expect(openNote(signed, [peter])).toEqual<Note>({ text: go.text, sigs: [peterSig], unverifiedSigs: [enochSig] });
    expect(openNote(signed, [peter, enoch])).toEqual<Note>({ text: go.text, sigs: [peterSig, enochSig], unverifiedSigs: [] });
    expect(openNote(new TextEncoder().encode(signed), [enoch]).sigs).toEqual([enochSig]);
  });

  it("rejects a note with no signature by a known key, and carries the parsed note", () => {
    const err = catchError(() => openNote(signed, []));
    expect(err).toBeInstanceOf(UnverifiedNoteError);
    expect(err.message).toBe("note has no signature by a known key (signed by: PeterNeumann+c74f20a3, EnochRoot+af0cfe78)");
    expect((err as UnverifiedNoteError).note.unverifiedSigs).toEqual([peterSig, enochSig]);
  });

  it("rejects ambiguous verifiers only when they are used", () => {
    const twin = parseVerifierKey(go.enochVerifierKey);
    expect(catchError(() => openNote(`${go.text}\n${go.enochSig}`, [enoch, peter, twin])).message).toMatch(/ambiguous key EnochRoot\+af0cfe78/);
    expect(openNote(`${go.text}\n${go.peterSig}`, [enoch, peter, twin]).sigs).toEqual([peterSig]);
  });

  it("limits the number of signatures", () => {
    expect(() => openNote(`${go.text}\n${go.peterSig.repeat(101)}`, [peter])).toThrow(/more than 100 signatures/);
    expect(openNote(`${go.text}\n${go.peterSig.repeat(100)}`, [peter]).sigs).toHaveLength(1);
  });

  it("rejects a bad signature by a known key", () => {
    // Go inserts "ABCD" at byte 60 of the line; the em dash is 3 bytes but 1 UTF-16 unit.
    const bad = `${go.peterSig.slice(0, 58)}ABCD${go.peterSig.slice(58)}`;
    const err = catchError(() => openNote(`${go.text}\n${bad}`, [peter]));
    expect(err).toBeInstanceOf(InvalidSignatureError);
    expect(err.message).toBe("invalid signature for key PeterNeumann+c74f20a3");
  });

  it("drops repeated signatures and keeps distinct unverified ones", () => {
    const enochABCD = `${go.enochSig.slice(0, 58)}ABCD${go.enochSig.slice(58)}`;
    const n = openNote(`${go.text}\n${go.peterSig}${go.peterSig}${go.enochSig}${go.enochSig}${enochABCD}`, [peter]);
    expect(n.sigs).toEqual([peterSig]);
    expect(n.unverifiedSigs).toEqual([
      enochSig,
      { ...enochSig, base64: "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n" + "ABCD" + "2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=" },
    ]);
  });

  it.each([
    ["text only", go.text, /no blank line before the signatures/],
    ["no signature lines", `${go.text}\n`, /no signature lines/],
    ["unterminated signature line", `${go.text}\n${go.peterSig.slice(0, -1)}`, /does not end with a newline/],
    ["control character", `\u0001${go.text}\n${go.peterSig}`, /control character U\+0001 at offset 0/],
    ["space in key name", `${go.text}\n— Bad Name ${peterSigB64}\n`, /signature line 1 .*(invalid key name|canonical base64)/],
    ["trailing text line", `${go.text}\n${go.peterSig}Unexpected line.\n`, /signature line 2 does not start with/],
    ["hyphen instead of em dash", `${go.text}\n- PeterNeumann ${peterSigB64}\n`, /signature line 1 does not start with "— "/],
    ["missing signature", `${go.text}\n— PeterNeumann\n`, /has no space/],
    ["short signature", `${go.text}\n— PeterNeumann AAAAAA==\n`, /too short/],
    ["unpadded signature", `${go.text}\n— PeterNeumann ${peterSigB64.slice(0, -1)}\n`, /not canonical base64/],
  ])("rejects a malformed note: %s", (_what, msg, why) => {
    const err = catchError(() => openNote(msg, [peter]));
    expect(err).toBeInstanceOf(MalformedNoteError);
    expect(err.message).toMatch(why);
  });

  it("rejects bytes that are not UTF-8", () => {
    const bytes = new TextEncoder().encode(`x${go.text}\n${go.peterSig}`);
    bytes[0] = 0xff;
    expect(() => openNote(bytes, [peter])).toThrow(/not valid UTF-8/);
  });

  it("fails when any byte of the text changes", () => {
    for (let i = 0; i < go.text.length; i++) {
      const text = go.text.slice(0, i) + (go.text[i] === "x" ? "y" : "x") + go.text.slice(i + 1);
      const err = catchError(() => openNote(`${text}\n${go.peterSig}`, [peter]));
      expect(err.name, `byte ${i}`).toMatch(/InvalidSignatureError|MalformedNoteError/);
    }
  });

  it("splits at the last blank line, so the text may contain blank lines", () => {
    const s = ed25519Signer("a.example", new Uint8Array(32).fill(7));
    const text = "one\n\ntwo\n\n\nthree\n";
    const v = parseVerifierKey(formatVerifierKey("a.example", ed.getPublicKey(new Uint8Array(32).fill(7))));
    expect(openNote(signNote(text, s), [v]).text).toBe(text);
  });
});

describe("C2SP signed-note example", () => {
  it("verifies the specification's example note", () => {
    const v = parseVerifierKey(vectors.c2sp.signedNote.verifierKey);
    const n = openNote(vectors.c2sp.signedNote.message, [v]);
    expect(n.text).toBe("This is an example message.\n");
    expect(n.sigs.map((s) => s.name)).toEqual(["example.com/foo"]);
  });
});
