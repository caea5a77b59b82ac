import { createExecutionContext, env, evictDurableObject, runInDurableObject, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { verifyJson } from "../../src/domain/iscc-sig";
import { decodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { canonicalize } from "../../src/encoding/canonical-json";
import { decodeBase64 } from "../../src/encoding/base64";
import { RATE_LIMITS } from "../../src/http/rate-limits";
import { logEntry } from "../../src/log/entry";
import { checkRecord, leafHash, storedHashCount } from "../../src/log/merkle";
import { verifyCheckpoint } from "../../src/log/checkpoint";
import { ed25519Verifier } from "../../src/log/note";
import { verifyObservationChain } from "../../src/log/observation-chain";
import { decodeEntryBundle } from "../../src/log/tiles";
import { HUGE_BYTES, OBSERVED_ROBOTS } from "../fakes/observed-sites";
import { BASE, call, declaration, get, newKey, post, tableCounts } from "./helpers";

const b64 = (s: string) => decodeBase64(s)!;
const hex = async (text: string) => [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("");

async function registry() {
  const d = (await get("/.well-known/opt-out-registry")).body;
  return { publicKey: decodeEd25519PublicMultikey(d.public_key), origin: (await get("/log/checkpoint")).body.split("\n")[0] as string };
}

/** What "changes nothing" means here: every table, observations, and the log's size. */
async function state() {
  const observations = (await env.DB.prepare("SELECT count(*) AS n FROM observations").first<{ n: number }>())!.n;
  const size = Number((await get("/log/checkpoint")).body.split("\n")[1]);
  return { ...(await tableCounts()), observations, size };
}

/** The log's entries, decoded, from the entry bundle of a tree of `size` < 256 leaves. */
async function entries(size: number): Promise<Record<string, unknown>[]> {
  const res = await SELF.fetch(`${BASE}/log/tile/entries/000.p/${size}`);
  expect(res.status).toBe(200);
  return decodeEntryBundle(new Uint8Array(await res.arrayBuffer())).map((e) => JSON.parse(new TextDecoder().decode(e)));
}

const requested = async (host: string) => (await (await fetch(`https://outbound-log.test/__requests?host=${host}`)).json()) as string[];

describe("POST /v1/observations", () => {
  it("fetches the origin's signals itself, signs what it saw and logs it with a receipt and an inclusion proof", async () => {
    const r = await post("/v1/observations", { url: "https://reserved.observe.example/art/a.html" });
    expect(r.status).toBe(201);
    const { observation, receipt, proof, digest, seq } = r.body;
    const me = await registry();

    // What it saw: every document with its hash, and every statement with what it said.
    expect(observation).toMatchObject({ type: "OptOutObservation", url: "https://reserved.observe.example/art/a.html", host: "reserved.observe.example", user_agent: "optout-registry", vocabulary: 2 });
    const robots = observation.documents.find((d: { url: string }) => d.url.endsWith("/robots.txt"));
    expect(robots).toMatchObject({ status: 200, bytes: OBSERVED_ROBOTS.length, sha256: await hex(OBSERVED_ROBOTS), truncated: false });
    const kinds = observation.sources.filter((s: { status: string }) => s.status === "stated").map((s: { kind: string }) => s.kind);
    expect(kinds).toEqual(expect.arrayContaining(["content-usage-robots", "content-signal", "tdmrep-file", "content-usage-header", "robots-meta"]));
    expect(observation.sources.find((s: { kind: string }) => s.kind === "content-usage-robots").statement).toContain("Content-Usage: /art/ train-ai=n, search=y");
    expect(observation.preferences["train-ai"]).toBe("n");

    // Signed by the registry, and the receipt is for exactly these bytes.
    expect((await verifyJson(observation, { publicKey: me.publicKey })).pubkeyMultikey).toBeTruthy();
    await verifyJson(receipt, { publicKey: me.publicKey });
    expect(digest).toBe(await hex(canonicalize(observation)));
    expect(receipt).toMatchObject({ type: "OptOutObservationReceipt", seq, digest });

    // In the log: the self-describing entry { observation, receipt } under a signed checkpoint.
    const { checkpoint } = verifyCheckpoint(proof.checkpoint, [ed25519Verifier(me.origin, me.publicKey)], { origin: me.origin });
    expect(proof.leaf_index).toBe(seq - 1);
    checkRecord(proof.proof.map(b64), checkpoint.size, checkpoint.rootHash, proof.leaf_index, leafHash(logEntry(observation, receipt)));
    expect((await entries(checkpoint.size))[seq - 1]).toEqual({ observation, receipt });

    // The CLI's offline check (optout observe) agrees, and catches a changed byte anywhere.
    const log = { origin: me.origin, publicKey: me.publicKey };
    expect((await verifyObservationChain({ observation, receipt, proof, log })).every((s) => s.ok)).toBe(true);
    const forged = { ...observation, content_usage: "train-ai=y" };
    expect((await verifyObservationChain({ observation: forged, receipt, proof, log })).filter((s) => !s.ok).map((s) => s.step)).toEqual(["registry signature", "registry receipt", "log inclusion"]);
    const moved = { ...proof, leaf_index: proof.leaf_index - 1 };
    expect((await verifyObservationChain({ observation, receipt, proof: moved, log })).filter((s) => !s.ok).map((s) => s.step)).toEqual(["log inclusion"]);

    // History per origin, and a proof later.
    const listed = await get("/v1/observations?host=RESERVED.observe.example");
    expect(listed.body.observations.map((o: { digest: string }) => o.digest)).toEqual([digest]);
    expect(listed.body.observations[0]).toEqual({ digest, seq, observation, receipt });
    const later = await get(`/v1/observations/${digest}/proof`);
    expect(later.body).toMatchObject({ digest, seq, leaf_index: seq - 1, tree_size: checkpoint.size });
  });

  it("takes its place in the one order: declarations before and after it stay provable", async () => {
    const key = newKey();
    const first = (await post("/v1/declarations", await declaration(key, { urls: ["https://order.observe.example/a"] }))).body;
    const obs = (await post("/v1/observations", { url: "https://reserved.observe.example/" })).body;
    const second = (await post("/v1/declarations", await declaration(key, { urls: ["https://order.observe.example/b"] }))).body;
    expect(obs.seq).toBe(first.seq + 1);
    expect(second.seq).toBe(obs.seq + 1);
    const me = await registry();
    for (const id of [first.id, second.id]) {
      const p = (await get(`/v1/declarations/${id}/proof`)).body;
      const { checkpoint } = verifyCheckpoint(p.checkpoint, [ed25519Verifier(me.origin, me.publicKey)], { origin: me.origin });
      expect(p.tree_size).toBe(checkpoint.size);
      checkRecord(p.proof.map(b64), checkpoint.size, checkpoint.rootHash, p.leaf_index, b64(p.leaf_hash));
    }
    // Both kinds of entry in one bundle, each naming what it holds.
    const size = Number((await get("/log/checkpoint")).body.split("\n")[1]);
    const kinds = (await entries(size)).map((e) => Object.keys(e).sort().join(","));
    expect(kinds.slice(first.seq - 1, second.seq)).toEqual(["declaration,receipt", "observation,receipt", "declaration,receipt"]);
  });

  it("after a restart, seqs continue past an observation, and a log that missed one is repaired from D1", async () => {
    const key = newKey();
    await post("/v1/declarations", await declaration(key, { urls: ["https://restart.observe.example/a"] }));
    const atKeep = (await get("/log/checkpoint")).body as string;
    const keep = Number(atKeep.split("\n")[1]);
    const obs = (await post("/v1/observations", { url: "https://reserved.observe.example/art/a.html" })).body;
    const before = (await get("/log/checkpoint")).body.split("\n").slice(0, 3);
    expect(Number(before[1])).toBe(keep + 1);

    // Forget the observation's leaf, as if the object died between the D1 write and the log append.
    const stub = env.SEQUENCER.get(env.SEQUENCER.idFromName("sequencer"));
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("DELETE FROM log_hashes WHERE idx >= ?", storedHashCount(keep));
      sql.exec("UPDATE log_state SET value = ? WHERE key = 'size'", String(keep));
      sql.exec("UPDATE log_state SET value = ? WHERE key = 'checkpoint'", atKeep);
    });
    await evictDurableObject(stub);
    // The same tree again, rebuilt from the observations table; the next declaration comes after it.
    expect((await get("/log/checkpoint")).body.split("\n").slice(0, 3)).toEqual(before);
    const next = (await post("/v1/declarations", await declaration(key, { urls: ["https://restart.observe.example/b"] }))).body;
    expect(next.seq).toBe(obs.seq + 1);
    await evictDurableObject(stub);
    const again = (await post("/v1/observations", { url: "https://reserved.observe.example/" })).body;
    expect(again.seq).toBe(next.seq + 1);
  });

  it("records a redirect into a private address as refused, never fetched", async () => {
    const r = await post("/v1/observations", { url: "https://hop.observe.example/page" });
    expect(r.status).toBe(201);
    const page = r.body.observation.documents.find((d: { url: string }) => d.url === "https://hop.observe.example/page");
    expect(page).toMatchObject({ outcome: "unreachable", redirects: ["https://hop.observe.example/page"], final_url: "http://127.0.0.1:9/page" });
    expect(page.error).toMatch(/not a public address/);
    expect(await requested("127.0.0.1")).toEqual([]);
  });

  it("reads at most the limit of an oversized page, hashing what it read and saying so", async () => {
    const r = await post("/v1/observations", { url: "https://big.observe.example/huge" });
    expect(r.status).toBe(201);
    const page = r.body.observation.documents.find((d: { url: string }) => d.url.endsWith("/huge"));
    expect(page.truncated).toBe(true);
    expect(page.bytes).toBe(4 * 1024 * 1024);
    expect(page.bytes).toBeLessThan(HUGE_BYTES);
  });

  it("refuses bad input with a problem naming the field, and changes nothing", async () => {
    const before = await state();
    for (const url of ["http://127.0.0.1/", "http://[::1]:8787/", "http://169.254.169.254/latest/meta-data", "http://localhost:8787/x", "http://intranet/", "http://10.1.2.3/", "http://0x7f.1/", "ftp://files.example/x", "https://user:pw@site.example/", "not a url"]) {
      const r = await post("/v1/observations", { url });
      expect(r.status, url).toBe(422);
      expect(r.body.errors[0].pointer, url).toBe("/url");
    }
    const unknown = await post("/v1/observations", { url: "https://reserved.observe.example/", when: "now" });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors.map((e: { pointer: string }) => e.pointer)).toContain("/when");
    expect((await post("/v1/observations", {})).body.errors[0].pointer).toBe("/url");
    const oversize = await post("/v1/observations", { url: "https://reserved.observe.example/" + "a".repeat(5000) });
    expect(oversize.status).toBe(413);
    expect((await post("/v1/observations", "{not json")).status).toBe(415);
    expect((await call("POST", "/v1/observations", "{not json", { "content-type": "application/json" })).status).toBe(400);
    // Nothing readable (every document redirects into a private network): nothing to notarize.
    const down = await post("/v1/observations", { url: "https://trap.observe.example/" });
    expect(down.status).toBe(502);
    expect(down.body.type).toMatch(/\/problems\/origin-unreachable$/);
    expect(await requested("10.0.0.1")).toEqual([]);
    expect((await get("/v1/observations?host=a/b")).body.errors[0].pointer).toBe("/host");
    expect((await get("/v1/observations?host=x.example&other=1")).status).toBe(422);
    expect((await get(`/v1/observations/${"0".repeat(64)}/proof`)).status).toBe(404);
    expect(await state()).toEqual(before);
  });

  it("has its own rate-limit class", async () => {
    const { limit, period } = RATE_LIMITS.observation;
    const limitsOn = { ...env, RATE_LIMITS: "on" };
    const send = async (ip: string) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(BASE + "/v1/observations", { method: "POST", headers: { "content-type": "application/json", "cf-connecting-ip": ip }, body: "{}" }), limitsOn, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    let refused: Response | null = null;
    for (let i = 0; i <= 2 * limit && !refused; i++) {
      const res = await send("198.51.100.9");
      if (res.status === 429) refused = res;
      else await res.arrayBuffer();
    }
    expect(refused?.headers.get("retry-after")).toBe(String(period));
    expect((await send("198.51.100.10")).status).toBe(422);
  });
});
