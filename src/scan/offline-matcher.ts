/**
 * `optout scan --snapshot DIR`: the registry's two signed snapshots, kept in DIR (downloaded when missing; delete
 * them to refresh) and verified against the registry's key from its descriptor: `units.snapshot` for content
 * (snapshot-matcher.ts, no request at all) and `urls.snapshot` for URLs (only the URLs it cannot rule out are
 * looked up, through `fallback`).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadSnapshot } from "../cli/snapshot";
import type { RegistryClient } from "../cli/registry-client";
import { decodeEd25519PublicMultikey } from "../domain/multikey";
import { probeUrl } from "../filter/url-keys";
import { parseLookupUrl } from "../flows/lookup-urls";
import { decodeUnitsSnapshot, UnitsSnapshotError } from "../snapshot/units-snapshot";
import type { Matcher } from "./registry-matcher";
import { SnapshotMatcher } from "./snapshot-matcher";

export class OfflineSnapshotError extends Error {}

export async function offlineMatcher(dir: string, registry: RegistryClient, fallback: Matcher, maxDistance?: number): Promise<{ matcher: Matcher; versions: { units: number; urls: number }; units: { registry: string; version: number; createdAt: number } }> {
  await mkdir(dir, { recursive: true });
  const { body: descriptor } = await registry.get<{ public_key: string; name: string }>(".well-known/opt-out-registry");
  const unitsFile = join(dir, "units.snapshot");
  let bytes: Uint8Array;
  if (existsSync(unitsFile)) bytes = new Uint8Array(await readFile(unitsFile));
  else {
    const res = await fetch(new URL("v1/snapshot/units", registry.base));
    if (!res.ok) throw new OfflineSnapshotError(`GET /v1/snapshot/units: HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  }
  let units;
  try {
    units = await decodeUnitsSnapshot(bytes, decodeEd25519PublicMultikey(descriptor.public_key));
  } catch (e) {
    if (e instanceof UnitsSnapshotError) throw new OfflineSnapshotError(`${unitsFile}: ${e.message}`);
    throw e;
  }
  if (units.registry !== descriptor.name) throw new OfflineSnapshotError(`${unitsFile} is of registry ${units.registry}, not ${descriptor.name}`);
  if (!existsSync(unitsFile)) await writeFile(unitsFile, bytes);
  const urls = await loadSnapshot(registry, join(dir, "urls.snapshot"));
  const has = (a: number, b: number) => urls.filter.has(a, b);
  const matcher = new SnapshotMatcher(
    units,
    async (url) => {
      const p = parseLookupUrl(url, ["url"]);
      if ("error" in p) return { error: p.error.detail };
      // ruled out by the filter (no false negatives): not declared at the snapshot's version
      if (!probeUrl(has, p.key, p.host, urls.probeChars)) return { matches: [] };
      return fallback.lookupUrl(url);
    },
    maxDistance,
  );
  return {
    matcher: {
      matchCode: (iscc) => matcher.matchCode(iscc),
      lookupUrl: (url) => matcher.lookupUrl(url),
      // The snapshots hold content and URL keys only: identifiers are looked up at the registry.
      lookupIdentifier: (identifier) => fallback.lookupIdentifier(identifier),
      flush: () => fallback.flush(),
      get requests() {
        return fallback.requests;
      },
    },
    versions: { units: units.version, urls: urls.version },
    units: { registry: units.registry, version: units.version, createdAt: units.createdAt },
  };
}
