import { decodeEd25519PublicMultikey } from "../domain/multikey";
import { normalizeRegistryName, registryNameOfUrl, sameRegistryName } from "../domain/registry-name";
import type { Env } from "../env";
import { readBody } from "../http/body";
import type { FieldError } from "../http/problem";
import { Problem } from "../http/problem";
import { registryIdentity } from "../registry-identity";

/** What an operator gives to add a peer (POST /v1/peers); the rest comes from the peer's descriptor. */
export interface PeerInput {
  name?: string | undefined;
  url: string;
  public_key?: string | undefined;
  hub_id?: number | undefined;
}

/** The descriptor is a small document; a peer answering more is not read further. */
const DESCRIPTOR_BYTES = 64 * 1024;

/**
 * Decides whether a partner registry may be added, and as what: its name (in normal form, see
 * registry-name.ts), base URL and key. What the operator gives must agree with the peer's own
 * descriptor when it is reachable; without it, the operator's values are taken. A registry never
 * peers with itself: not under its own name in any spelling (`LOCALHOST:8787`, `localhost.:8787`),
 * not at its own address, and not with its own hub id (hub ids must be unique in a federation, or
 * the two would mint the same ISCC-IDs). Every refusal names the field; nothing is stored here.
 */
export async function admitPeer(env: Env, input: PeerInput): Promise<{ name: string; url: string; publicKey: string }> {
  const url = input.url.replace(/\/+$/, "");
  const descriptor = await fetchDescriptor(url);
  const errors: FieldError[] = [];
  const theirs = (field: "name" | "public_key" | "hub_id") => descriptor?.[field];

  const givenName = input.name;
  const theirName = typeof theirs("name") === "string" ? (theirs("name") as string) : undefined;
  if (givenName !== undefined && theirName !== undefined && !sameRegistryName(givenName, theirName))
    errors.push({ pointer: "/name", detail: `the peer's descriptor says ${JSON.stringify(theirName)}` });
  const rawName = givenName ?? theirName;
  const name = rawName === undefined ? undefined : normalizeRegistryName(rawName);
  if (rawName === undefined) errors.push({ pointer: "/name", detail: missing(descriptor) });
  else if (name === null) errors.push({ pointer: "/name", detail: `${JSON.stringify(rawName)} is not a registry name (host[:port])` });

  const givenKey = input.public_key;
  const theirKey = typeof theirs("public_key") === "string" ? (theirs("public_key") as string) : undefined;
  if (givenKey !== undefined && theirKey !== undefined && givenKey !== theirKey)
    errors.push({ pointer: "/public_key", detail: `the peer's descriptor says ${JSON.stringify(theirKey)}` });
  const publicKey = givenKey ?? theirKey;
  if (publicKey === undefined) errors.push({ pointer: "/public_key", detail: missing(descriptor) });
  else {
    try {
      decodeEd25519PublicMultikey(publicKey);
    } catch (e) {
      errors.push({ pointer: "/public_key", detail: (e as Error).message });
    }
  }

  const theirHub = Number.isInteger(theirs("hub_id")) ? (theirs("hub_id") as number) : undefined;
  if (input.hub_id !== undefined && theirHub !== undefined && input.hub_id !== theirHub)
    errors.push({ pointer: "/hub_id", detail: `the peer's descriptor says ${theirHub}` });
  const hubId = input.hub_id ?? theirHub;

  const me = await registryIdentity(env);
  if (name && sameRegistryName(name, me.name))
    errors.push({ pointer: "/name", detail: givenName !== undefined ? `is this registry's own name (${me.name})` : `the peer's descriptor names this registry (${me.name})` });
  if (hubId === me.hubId)
    errors.push({ pointer: "/hub_id", detail: `${input.hub_id !== undefined ? "is" : "the peer's descriptor says"} this registry's own hub id ${me.hubId}: hub ids must be unique in a federation` });
  if (sameRegistryName(registryNameOfUrl(url) ?? "", me.name)) errors.push({ pointer: "/url", detail: `is this registry's own address (${me.name})` });

  if (errors.length) throw Problem.invalid(errors);
  return { name: name!, url, publicKey: publicKey! };
}

function missing(descriptor: Record<string, unknown> | null): string {
  return descriptor ? "the peer's descriptor has none; give it explicitly" : "required: the peer's descriptor is not reachable";
}

/** The peer's own descriptor, when it answers in time and within DESCRIPTOR_BYTES (null otherwise). */
async function fetchDescriptor(url: string): Promise<Record<string, unknown> | null> {
  try {
    const res = await fetch(url + "/.well-known/opt-out-registry", { signal: AbortSignal.timeout(5000), headers: { accept: "application/json" } });
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    const d = JSON.parse(await readBody(res, DESCRIPTOR_BYTES)) as unknown;
    return typeof d === "object" && d !== null && !Array.isArray(d) ? (d as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
