// First-start setup for `npm start`: a registry key and an operator token in .dev.vars (never
// committed), and the registry's name. Node's own Ed25519 (OpenSSL) makes the key, so this script
// needs no build step.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { generateKeyPairSync, randomBytes } from "node:crypto";

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base58(bytes) {
  let n = BigInt("0x" + Buffer.from(bytes).toString("hex"));
  let out = "";
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = "1" + out;
  }
  return out;
}

/** A fresh Ed25519 secret key as a multikey (z3u2…): multicodec ed25519-priv 0x8026 + 32-byte seed. */
export function newSecretMultikey() {
  // The seed is the last 32 bytes of the PKCS#8 DER encoding.
  const der = generateKeyPairSync("ed25519").privateKey.export({ format: "der", type: "pkcs8" });
  return "z" + base58(Buffer.concat([Buffer.from([0x80, 0x26]), der.subarray(der.length - 32)]));
}

/** Adds REGISTRY_SECRET_KEY and OPERATOR_TOKEN to the vars file when they are missing. */
export function ensureDevVars(file = new URL("../.dev.vars", import.meta.url)) {
  const vars = existsSync(file) ? readFileSync(file, "utf8") : "";
  const has = (name) => new RegExp(`^${name}=`, "m").test(vars);
  const add = [];
  if (!has("REGISTRY_SECRET_KEY")) add.push(`REGISTRY_SECRET_KEY=${newSecretMultikey()}`);
  if (!has("OPERATOR_TOKEN")) add.push(`OPERATOR_TOKEN=${randomBytes(24).toString("base64url")}`);
  if (!add.length) return;
  writeFileSync(file, (vars && !vars.endsWith("\n") ? vars + "\n" : vars) + add.join("\n") + "\n", { mode: 0o600 });
  console.log(`${file instanceof URL ? file.pathname : file}: generated ${add.map((l) => l.split("=")[0]).join(" and ")}`);
}

/** A variable's value in a vars file (dotenv syntax), or undefined when the file or the variable is missing. */
export function readVar(file, name) {
  if (!existsSync(file)) return undefined;
  const value = new RegExp(`^\\s*${name}\\s*=(.*)$`, "m").exec(readFileSync(file, "utf8"))?.[1]?.trim();
  return value?.replace(/^(["'])(.*)\1$/, "$2");
}

/**
 * A variable for `wrangler dev`, and the arguments that set it: from the environment first, then
 * from the vars files (wrangler reads those itself, and a --var would override them), else
 * `fallback`; with no fallback, wrangler.toml's value stands.
 *
 * The registry's name is the reason: receipts, the log origin (NAME/log) and the DID
 * (did:web:NAME) all carry it, so two local registries must not share one, or they cannot peer.
 * The start scripts give the host and port they serve on as its fallback, replacing the
 * wrangler.toml default, which is a name for port 8787 only.
 */
export function devVar(name, fallback, varsFiles, env = process.env) {
  if (env[name]) return { value: env[name], args: ["--var", `${name}:${env[name]}`] };
  const configured = varsFiles.map((f) => readVar(f, name)).find((v) => v !== undefined);
  if (configured !== undefined) return { value: configured, args: [] };
  return fallback === undefined ? { value: undefined, args: [] } : { value: fallback, args: ["--var", `${name}:${fallback}`] };
}
