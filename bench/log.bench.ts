/**
 * npm run bench:log — registrations per second with the transparency log on, signature checks
 * included, and proofs available right after: a local registry (workerd through wrangler's dev
 * server, local D1, the sequencer Durable Object) takes N pre-signed declarations, first as
 * batches of 1,000, then as single POSTs from 32 concurrent clients. Afterwards the checkpoint
 * must cover every declaration and sampled inclusion proofs must verify.
 * Target (issue 5): ≥ 1,000 declarations/s registered locally.
 */
import { encodeEd25519SecretMultikey } from "../src/domain/multikey";
import { generateKeypair, signJson } from "../src/domain/iscc-sig";
import { decodeBase64 } from "../src/encoding/base64";
import { parseCheckpoint } from "../src/log/checkpoint";
import { checkRecord } from "../src/log/merkle";
import { startLocalRegistry } from "../scripts/local-registry";

const BATCHED = Number(process.env.BENCH_LOG_BATCHED ?? 5000);
const SINGLE = Number(process.env.BENCH_LOG_SINGLE ?? 2000);
const CONCURRENCY = 32;

async function signed(n: number, tag: string) {
  const key = generateKeypair();
  const out: string[] = [];
  const nonce = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  for (let i = 0; i < n; i++) {
    const d = await signJson(
      { type: "OptOutDeclaration", version: 1, urls: [`https://bench${i % 500}.example/${tag}/${i}/*`], preferences: { "train-ai": "n" }, intent: "activate", timestamp: new Date().toISOString(), nonce: nonce() },
      key,
    );
    out.push(JSON.stringify(d));
  }
  return out;
}

// RATE_LIMITS=off: the bench registers far faster than one client may.
const registry = await startLocalRegistry({ secretKey: encodeEd25519SecretMultikey(generateKeypair().secretKey), vars: { RATE_LIMITS: "off" } });
try {
  process.stdout.write(`signing ${BATCHED + SINGLE} declarations… `);
  const batchItems = await signed(BATCHED, "b");
  const singleItems = await signed(SINGLE, "s");
  console.log("done");

  let t0 = performance.now();
  for (let i = 0; i < batchItems.length; i += 1000) {
    const res = await fetch(`${registry.url}/v1/declarations/batch`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: batchItems.slice(i, i + 1000).join("\n") });
    const body = (await res.json()) as { created: number };
    if (body.created !== Math.min(1000, batchItems.length - i)) throw new Error(`batch at ${i}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  const batchSeconds = (performance.now() - t0) / 1000;

  t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < singleItems.length) {
        const body = singleItems[next++]!;
        const res = await fetch(`${registry.url}/v1/declarations`, { method: "POST", headers: { "content-type": "application/json" }, body });
        if (res.status !== 201) throw new Error(`single POST: ${res.status} ${await res.text()}`);
      }
    }),
  );
  const singleSeconds = (performance.now() - t0) / 1000;

  const note = await (await fetch(`${registry.url}/log/checkpoint`)).text();
  const cp = parseCheckpoint(note.slice(0, note.indexOf("\n\n") + 1));
  const total = BATCHED + SINGLE;
  let verified = 0;
  for (let k = 0; k < 20; k++) {
    const seq = 1 + Math.floor((k * total) / 20);
    const list = (await (await fetch(`${registry.url}/v1/declarations?limit=1&cursor=${btoa(`s${seq - 1}`).replace(/=+$/, "")}`)).json()) as { declarations: { id: string }[] };
    const p = (await (await fetch(`${registry.url}/v1/declarations/${list.declarations[0]!.id}/proof`)).json()) as { proof: string[]; tree_size: number; leaf_index: number; leaf_hash: string };
    checkRecord(p.proof.map((h) => decodeBase64(h)!), p.tree_size, cp.rootHash, p.leaf_index, decodeBase64(p.leaf_hash)!);
    verified++;
  }

  const rows = [
    ["batches of 1,000", BATCHED, batchSeconds],
    [`single POSTs, ${CONCURRENCY} clients`, SINGLE, singleSeconds],
  ] as const;
  console.log("\nbench:log — registrations with the transparency log (target ≥ 1,000 declarations/s)\n");
  console.log("| path | declarations | seconds | declarations/s | target |");
  console.log("|---|---:|---:|---:|---|");
  for (const [name, n, s] of rows) console.log(`| ${name} | ${n} | ${s.toFixed(2)} | ${Math.round(n / s)} | ${n / s >= 1000 ? "met" : "missed"} |`);
  console.log(`\ncheckpoint size ${cp.size} (expected ${total}): ${cp.size === total ? "ok" : "MISMATCH"}; ${verified} sampled inclusion proofs verified`);
  if (cp.size !== total) process.exitCode = 1;
} finally {
  await registry.stop();
}
