/**
 * `optout lookup --snapshot FILE`: check URLs against the registry's signed offline snapshot
 * (GET /v1/snapshot/urls, format in src/filter/snapshot-format.ts) and ask the API only for the
 * URLs the snapshot cannot rule out: every declared URL and about 0.4% of the others.
 *
 * FILE is downloaded from the registry when it does not exist yet; delete it to refresh. The
 * signature is always checked against the registry's key from /.well-known/opt-out-registry,
 * so a snapshot altered on disk or from another registry is refused, not trusted.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { decodeEd25519PublicMultikey } from "../domain/multikey";
import { combinePreferences, contentUsageHeader } from "../domain/preferences";
import { decodeSnapshot, SnapshotError, type SnapshotContents } from "../filter/snapshot-format";
import { probeUrl } from "../filter/url-keys";
import { parseLookupUrl } from "../flows/lookup-urls";
import { CliError } from "./errors";
import type { UrlAnswer } from "./render";
import type { RegistryClient } from "./registry-client";

const API_BATCH = 10_000;

export async function loadSnapshot(registry: RegistryClient, file: string): Promise<SnapshotContents> {
  const { body: descriptor } = await registry.get<{ public_key: string; name: string }>(".well-known/opt-out-registry");
  let bytes: Uint8Array;
  if (existsSync(file)) bytes = new Uint8Array(readFileSync(file));
  else {
    const res = await fetch(new URL("v1/snapshot/urls", registry.base));
    if (!res.ok) throw new CliError(`GET /v1/snapshot/urls: HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  }
  let snap: SnapshotContents;
  try {
    snap = await decodeSnapshot(bytes, decodeEd25519PublicMultikey(descriptor.public_key));
  } catch (e) {
    if (e instanceof SnapshotError) throw new CliError(`snapshot ${file}: ${e.message}`);
    throw e;
  }
  if (snap.registry !== descriptor.name) throw new CliError(`snapshot ${file} is of registry ${snap.registry}, not ${descriptor.name}`);
  if (!existsSync(file)) writeFileSync(file, bytes);
  return snap;
}

/** Answers in the order of `urls`; `source` says whether the snapshot or the API gave each. */
export async function lookupWithSnapshot(registry: RegistryClient, file: string, urls: string[]): Promise<{ answers: (UrlAnswer & { source: string })[]; version: number }> {
  const snap = await loadSnapshot(registry, file);
  const has = (a: number, b: number) => snap.filter.has(a, b);
  const answers: (UrlAnswer & { source: string })[] = new Array(urls.length);
  const ask: number[] = [];
  urls.forEach((url, i) => {
    const p = parseLookupUrl(url, ["urls", i]);
    if ("error" in p) answers[i] = { url, error: p.error, source: "snapshot" };
    else if (probeUrl(has, p.key, p.host, snap.probeChars)) ask.push(i);
    else {
      const preferences = combinePreferences([]);
      answers[i] = { url, normalized: p.normalized, opted_out: false, content_usage: contentUsageHeader(preferences), declarations: [], source: `snapshot v${snap.version}` };
    }
  });
  for (let k = 0; k < ask.length; k += API_BATCH) {
    const part = ask.slice(k, k + API_BATCH);
    const { body } = await registry.post<{ results: UrlAnswer[] }>("v1/lookup", { urls: part.map((i) => urls[i]) });
    body.results.forEach((r, j) => (answers[part[j]!] = { ...r, source: "api" }));
  }
  return { answers, version: snap.version };
}
