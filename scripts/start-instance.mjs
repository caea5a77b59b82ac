#!/usr/bin/env node
// `npm run start:instance -- N`: local registry number N (1–99) beside `npm start`'s, for trying
// federation on one machine. Each instance has its own port (8800 + N), state directory, key and
// operator token (in .wrangler/registry-N/, generated on first start, never committed), its own
// name (127.0.0.1:PORT, unless REGISTRY_NAME is set in the environment or that .dev.vars) and hub
// id (N). Extra arguments go to `wrangler dev`.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { devVar, ensureDevVars, readVar } from "./dev-vars.mjs";

const n = Number(process.argv[2]);
if (!Number.isInteger(n) || n < 1 || n > 99) {
  console.error("usage: npm run start:instance -- N   (N = 1…99; serves http://127.0.0.1:(8800+N))");
  process.exit(2);
}
const port = Number(process.env.PORT ?? 8800 + n);
const dir = new URL(`../.wrangler/registry-${n}/`, import.meta.url);
mkdirSync(dir, { recursive: true });
const varsFile = new URL(".dev.vars", dir);
ensureDevVars(varsFile);
const token = readVar(varsFile, "OPERATOR_TOKEN");
const name = devVar("REGISTRY_NAME", `127.0.0.1:${port}`, [varsFile]);
const state = new URL("state", dir).pathname;

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const run = (args, extra = {}) => {
  const r = spawnSync("wrangler", args, { stdio: "inherit", env: { ...env, ...extra }, shell: process.platform === "win32" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
// wrangler asks for confirmation in a terminal; CI=true makes it apply without asking.
run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { CI: "true" });
console.log(`registry ${n}: http://127.0.0.1:${port}  name ${name.value}  hub ${n}  operator token ${token}  (in ${varsFile.pathname})`);
run([
  "dev",
  "--ip", "127.0.0.1",
  "--port", String(port),
  "--persist-to", state,
  "--env-file", varsFile.pathname,
  ...name.args,
  "--var", `HUB_ID:${n}`,
  ...process.argv.slice(3),
]);
