import { describe, expect, it } from "vitest";
import { decodeBase64 } from "../../src/encoding/base64";
import { CheckpointError, formatCheckpoint, parseCheckpoint, signCheckpoint, verifyCheckpoint } from "../../src/log/checkpoint.js";
import { leafHash } from "../../src/log/merkle.js";
import {
  ed25519Signer,
  formatVerifierKey,
  InvalidSignatureError,
  MalformedNoteError,
  parseVerifierKey,
  signNote,
  UnverifiedNoteError,
} from "../../src/log/note.js";
import * as ed from "@noble/ed25519";
import vectors from "../fixtures/tlog-vectors.json";

const goTree = vectors.goTlog.recordHashHelloWorldTree;
const c2sp = vectors.c2sp.checkpoint;

const seed = new Uint8Array(32).map((_, i) => i);
const signer = ed25519Signer("registry.example/log", seed);
const verifier = parseVerifierKey(formatVerifierKey("registry.example/log", ed.getPublicKey(seed)));
const root = leafHash(new TextEncoder().encode("root"));

describe("formatCheckpoint / parseCheckpoint", () => {
  it("writes Go's tree note body (origin, decimal size, base64 hash)", () => {
    const body = formatCheckpoint({ origin: "go.sum database tree", size: goTree.size, rootHash: leafHash(new TextEncoder().encode(goTree.leafData)) });
    expect(body).toBe(goTree.formatted);
    expect(parseCheckpoint(body)).toEqual({ origin: "go.sum database tree", size: goTree.size, rootHash: leafHash(new TextEncoder().encode(goTree.leafData)), extensions: [] });
  });

  it("parses the C2SP example checkpoint", () => {
    const body = c2sp.message.slice(0, c2sp.message.indexOf("\n\n") + 1);
    const cp = parseCheckpoint(body);
    expect(cp).toEqual({ origin: c2sp.origin, size: c2sp.size, rootHash: decodeBase64(c2sp.rootHash), extensions: [] });
    expect(formatCheckpoint(cp)).toBe(body);
  });

  it("keeps extension lines", () => {
    const body = formatCheckpoint({ origin: "o", size: 0, rootHash: root, extensions: ["ext one", "ext two"] });
    expect(body.split("\n")).toHaveLength(6);
    expect(parseCheckpoint(body).extensions).toEqual(["ext one", "ext two"]);
    expect(parseCheckpoint(`${goTree.formatted}JOE\n`).extensions).toEqual(["JOE"]);
  });

  const good = goTree.formatted;
  it.each([
    ["Go: hex size", good.replace("123456789012", "0xabcdef"), /not a decimal number/],
    ["Go: hash too long", good.replace("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=", "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG="), /root hash/],
    ["leading zero", good.replace("123456789012", "0123456789012"), /without leading zeros/],
    ["negative size", good.replace("123456789012", "-1"), /not a decimal number/],
    ["size beyond 2^53", good.replace("123456789012", "9007199254740992"), /exceeds 2\^53 - 1/],
    ["unpadded hash", good.replace("=\n", "\n"), /not canonical base64/],
    ["short hash", good.replace("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=", "AAAA"), /root hash is 3 bytes, expected 32/],
    ["no final newline", good.slice(0, -1), /must end with a newline/],
    ["junk without newline (Go ignores it)", `${good}JOE`, /must end with a newline/],
    ["two lines", "origin\n1\n", /has 2 lines/],
    ["empty origin", `\n${good.split("\n").slice(1).join("\n")}`, /line 1 is empty/],
    ["empty extension line", `${good}\nx\n`, /line 4 is empty/],
    ["carriage return", good.replace("\n", "\r\n"), /control character/],
  ])("rejects %s", (_what, body, why) => {
    expect(() => parseCheckpoint(body)).toThrow(CheckpointError);
    expect(() => parseCheckpoint(body)).toThrow(why);
  });

  it("refuses to format what it would not parse", () => {
    expect(() => formatCheckpoint({ origin: "", size: 1, rootHash: root })).toThrow(/origin/);
    expect(() => formatCheckpoint({ origin: "a\nb", size: 1, rootHash: root })).toThrow(/origin/);
    expect(() => formatCheckpoint({ origin: "o", size: -1, rootHash: root })).toThrow(/tree size/);
    expect(() => formatCheckpoint({ origin: "o", size: 1.5, rootHash: root })).toThrow(/tree size/);
    expect(() => formatCheckpoint({ origin: "o", size: 1, rootHash: root.subarray(1) })).toThrow(/32 bytes/);
    expect(() => formatCheckpoint({ origin: "o", size: 1, rootHash: root, extensions: [""] })).toThrow(/extension line 1/);
  });
});

describe("signCheckpoint / verifyCheckpoint", () => {
  const cp = { origin: "registry.example/log", size: 42, rootHash: root };
  const signed = signCheckpoint(cp, signer);

  it("round-trips through a signed note", () => {
    expect(signed.startsWith(`registry.example/log\n42\n${Buffer.from(root).toString("base64")}\n\n— registry.example/log `)).toBe(true);
    const { checkpoint, note } = verifyCheckpoint(signed, [verifier], { origin: "registry.example/log" });
    expect(checkpoint).toEqual({ ...cp, extensions: [] });
    expect(note.sigs).toHaveLength(1);
  });

  it("fails when any line of the checkpoint is tampered with", () => {
    const lines = signed.split("\n");
    for (const i of [0, 1, 2]) {
      const tampered = [...lines];
      tampered[i] = i === 1 ? "43" : i === 2 ? Buffer.from(leafHash(new Uint8Array(1))).toString("base64") : "registry.example/other";
      expect(() => verifyCheckpoint(tampered.join("\n"), [verifier]), `line ${i}`).toThrow(InvalidSignatureError);
    }
    const extended = signed.replace("\n\n", "\nextra\n\n");
    expect(() => verifyCheckpoint(extended, [verifier])).toThrow(InvalidSignatureError);
    expect(() => verifyCheckpoint(signed.replace("\n\n", "\n"), [verifier])).toThrow(MalformedNoteError);
  });

  it("checks the expected origin", () => {
    expect(() => verifyCheckpoint(signed, [verifier], { origin: "registry.example/other" })).toThrow(
      'checkpoint origin "registry.example/log" is not the expected "registry.example/other"',
    );
  });

  it("needs a signature by a known key", () => {
    expect(() => verifyCheckpoint(c2sp.message, [verifier])).toThrow(UnverifiedNoteError);
  });

  it("rejects a validly signed note whose body is not a checkpoint", () => {
    expect(() => verifyCheckpoint(signNote("registry.example/log\n42\n", signer), [verifier])).toThrow(CheckpointError);
  });
});
