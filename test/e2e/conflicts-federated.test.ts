/**
 * Conflicting claims across two federated registries (real `wrangler dev` processes): a
 * photographer declares an image at registry A and watches it (`optout watch --subscribe`); a
 * stranger declares a near copy at registry B with the opposite preference. Both registries must
 * find the same conflict, and A must deliver it to the photographer's receiver: a plain Node HTTP
 * server that verifies each delivery with the Standard Webhooks algorithm written out here with
 * node:crypto, sharing no code with the registry (checked first against the Standard Webhooks test
 * vector). Its first answer is a 500, so the retry is seen.
 */
import { execFile } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signJson, type Keypair } from "../../src/domain/iscc-sig";
import { encodeUnit, MainType } from "../../src/iscc/index";
import { readKeyFile } from "../../src/cli/key-file";
import { freePort } from "../support/free-port";
import { peerMesh, startCluster, waitFor, type Cluster } from "./federation-cluster";

const BIN = join(resolve(import.meta.dirname, "../.."), "bin/optout.mjs");

interface Received {
  id: string;
  status: number;
  verified: boolean;
  payload: any;
}

/** Standard Webhooks, symmetric: base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` keyed with the base64 after `whsec_`. */
function verifyStandardWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string, nowSeconds = Date.now() / 1000): boolean {
  const id = String(headers["webhook-id"] ?? "");
  const ts = String(headers["webhook-timestamp"] ?? "");
  if (!id || !/^\d+$/.test(ts) || Math.abs(nowSeconds - Number(ts)) > 300) return false;
  const expected = createHmac("sha256", Buffer.from(secret.replace(/^whsec_/, ""), "base64")).update(`${id}.${ts}.${body}`).digest();
  return String(headers["webhook-signature"] ?? "")
    .split(" ")
    .some((s) => {
      const [version, sig] = s.split(",");
      const given = Buffer.from(sig ?? "", "base64");
      return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

let cluster: Cluster;
let server: Server;
let hookUrl: string;
let secret = "";
let failFirst = 1;
const received: Received[] = [];

async function optout(keyPath: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, OPTOUT_KEY: keyPath, NO_COLOR: "1" }, timeout: 40_000 });
  return stdout;
}

async function declare(registry: string, key: Keypair, fields: Record<string, unknown>) {
  const body = await signJson({ type: "OptOutDeclaration", version: 1, intent: "activate", timestamp: new Date().toISOString(), nonce: crypto.randomUUID().replace(/-/g, ""), ...fields }, key);
  const res = await fetch(`${registry}/v1/declarations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  const port = await freePort();
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const verified = verifyStandardWebhook(secret, req.headers, body);
      const status = !verified ? 401 : failFirst-- > 0 ? 500 : 204;
      received.push({ id: String(req.headers["webhook-id"]), status, verified, payload: verified ? JSON.parse(body) : null });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((ok) => server.listen(port, "127.0.0.1", ok));
  hookUrl = `http://127.0.0.1:${port}/hook`;
  cluster = await startCluster(2, { SUBSCRIPTIONS_ALLOW_LOOPBACK: "true", NOTIFY_RETRY_BASE_MS: "200", FEDERATION_PULL_INTERVAL_MS: "1000" });
  await peerMesh(cluster.registries);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  server?.close();
});

describe("the receiver's own verifier", () => {
  it("accepts the Standard Webhooks specification's signed example, and nothing altered", () => {
    // The Standard Webhooks test vector (secret, id, timestamp, payload, signature), the one its libraries are tested against.
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const headers = { "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330", "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" };
    const body = '{"test": 2432232314}';
    expect(verifyStandardWebhook(secret, headers, body, 1614265330)).toBe(true);
    expect(verifyStandardWebhook(secret, headers, body.replace("2", "3"), 1614265330)).toBe(false);
    expect(verifyStandardWebhook(secret, { ...headers, "webhook-id": "msg_other" }, body, 1614265330)).toBe(false);
    expect(verifyStandardWebhook(secret, headers, body, 1614265330 + 301)).toBe(false); // outside the tolerance
  });
});

describe("conflicts across two federated registries", () => {
  it("are found the same on both and delivered, signed, to the photographer's receiver", async () => {
    const [a, b] = cluster.registries as [Cluster["registries"][0], Cluster["registries"][0]];
    const keyPath = join(cluster.dir, "photographer.json");
    await optout(keyPath, "keygen");
    const photographer = (await readKeyFile(keyPath)).keypair;
    const me = (await signJson({}, photographer)).signature.pubkey!;
    const sub = JSON.parse(await optout(keyPath, "--registry", a.url, "--json", "watch", "--subscribe", hookUrl));
    expect(sub.secret).toMatch(/^whsec_/);
    secret = sub.secret;

    const body = crypto.getRandomValues(new Uint8Array(8));
    const copy = Uint8Array.from(body);
    copy[0]! ^= 0x81; // two bits apart: a near-duplicate
    const mine = await declare(a.url, photographer, { iscc: encodeUnit(MainType.CONTENT, 1, 0, 64, body), preferences: { "train-ai": "n" } });
    const stranger = (await import("../../src/domain/iscc-sig")).generateKeypair();
    const theirs = await declare(b.url, stranger, { iscc: encodeUnit(MainType.CONTENT, 1, 0, 64, copy), preferences: { "train-ai": "y" } });

    const conflictsAt = async (r: { url: string }) =>
      ((await (await fetch(`${r.url}/v1/conflicts?declarant=${me}`)).json()) as { conflicts: { id: string; kind: string; claim: string; counterpart: string }[] }).conflicts
        .map(({ id, kind, claim, counterpart }) => ({ id, kind, claim, counterpart }))
        .sort((x, y) => x.id.localeCompare(y.id));
    const atA = await waitFor("the conflict at A", () => conflictsAt(a), (l) => l.length > 0, 60_000);
    const atB = await waitFor("the conflict at B", () => conflictsAt(b), (l) => l.length >= atA.length, 60_000);
    expect(atB).toEqual(atA);
    expect(atA.map((c) => c.kind)).toContain("opposite-preferences");
    expect(new Set(atA.flatMap((c) => [c.claim, c.counterpart]))).toEqual(new Set([mine, theirs]));

    const delivered = await waitFor("deliveries", async () => received.filter((r) => r.status === 204), (l) => l.length >= 2, 60_000);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(received[0]!.status).toBe(500); // retried, with the same webhook-id
    expect(delivered.map((r) => r.id)).toContain(received[0]!.id);
    const found = delivered.find((r) => r.payload.type === "conflict.found")!.payload;
    expect(atA.map((c) => c.id)).toContain(found.data.conflict.id);
    expect(delivered.find((r) => r.payload.type === "declaration.near-duplicate")!.payload.data).toMatchObject({ declaration: theirs, yours: mine });

    // `optout watch` shows the same list, at either registry: the same notification ids.
    const watched = (registry: string) =>
      optout(keyPath, "--registry", registry, "--json", "watch").then((out) => out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l).id as string).sort());
    const fromA = await watched(a.url);
    expect(fromA).toEqual(delivered.map((r) => r.id).sort());
    expect(await waitFor("B's list", () => watched(b.url), (l) => l.length >= fromA.length, 30_000)).toEqual(fromA);
  });

  it("an agent imports a catalog for its members (`optout import` agent mode), listed by agent and member", async () => {
    const a = cluster.registries[0]!;
    const keyPath = join(cluster.dir, "society.json");
    await optout(keyPath, "keygen");
    const society = (await signJson({}, (await readKeyFile(keyPath)).keypair)).signature.pubkey!;
    const { generateKeypair } = await import("../../src/domain/iscc-sig");
    const m1 = (await signJson({}, generateKeypair())).signature.pubkey!;
    const m2 = (await signJson({}, generateKeypair())).signature.pubkey!;
    const catalog = join(cluster.dir, "members.csv");
    await writeFile(catalog, ["url,member", `https://m1.example/a/*,${m1}`, `https://m1.example/b/*,${m1}`, "https://m2.example/*,"].join("\n") + "\n");
    const summary = JSON.parse(await optout(keyPath, "--registry", a.url, "--json", "import", catalog, "--on-behalf-of", m2, "--quiet"));
    expect(summary).toMatchObject({ rows: 3, created: 3, failed: 0 });
    const listed = async (member: string) =>
      ((await (await fetch(`${a.url}/v1/declarations?agent=${society}&member=${member}`)).json()) as { declarations: { on_behalf_of: string; agent: { label: string; member: string } }[] }).declarations;
    const forM1 = await listed(m1);
    expect(forM1.map((d) => [d.on_behalf_of, d.agent.member, d.agent.label])).toEqual([
      [m1, m1, "self-asserted"],
      [m1, m1, "self-asserted"],
    ]);
    expect((await listed(m2)).length).toBe(1);
  });
});
