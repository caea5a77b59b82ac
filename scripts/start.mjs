#!/usr/bin/env node
// `npm start`: a working local registry in one command. Generates .dev.vars on first start,
// applies D1 migrations to the local database, then serves on http://127.0.0.1:8787 (or $PORT)
// under the name localhost:PORT, unless REGISTRY_NAME is set in the environment or .dev.vars
// (HUB_ID likewise, else wrangler.toml's).
// Extra arguments go to `wrangler dev`; --persist-to DIR and --env-file FILE are honoured by
// every step (the migrations, the generated key, the name), so a second registry can run beside.
import { spawnSync } from "node:child_process";
import { devVar, ensureDevVars } from "./dev-vars.mjs";

const extra = process.argv.slice(2);
/** The values of a wrangler flag among the extra arguments, as `--flag value` or `--flag=value`. */
const flagValues = (flag) =>
  extra.flatMap((a, i) => (a === flag && i + 1 < extra.length ? [extra[i + 1]] : a.startsWith(`${flag}=`) ? [a.slice(flag.length + 1)] : []));
const persistTo = flagValues("--persist-to")[0];
// wrangler reads .dev.vars only when no --env-file is given.
const envFiles = flagValues("--env-file");
const varsFiles = envFiles.length ? envFiles : [new URL("../.dev.vars", import.meta.url).pathname];
const port = process.env.PORT ?? "8787";

ensureDevVars(varsFiles[0]);
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const run = (args, more = {}) => {
  const r = spawnSync("wrangler", args, { stdio: "inherit", env: { ...env, ...more }, shell: process.platform === "win32" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
// wrangler asks for confirmation in a terminal; CI=true makes it apply without asking.
run(["d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])], { CI: "true" });
const name = devVar("REGISTRY_NAME", `localhost:${port}`, varsFiles);
// Two registries that federate also need different hub ids: HUB_ID=2 PORT=8788 npm start.
const hub = devVar("HUB_ID", undefined, varsFiles);
console.log(`registry ${name.value} on http://127.0.0.1:${port}`);
run(["dev", "--ip", "127.0.0.1", "--port", port, ...name.args, ...hub.args, ...extra]);
