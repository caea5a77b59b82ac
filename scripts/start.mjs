#!/usr/bin/env node
// `npm start`: a working local registry in one command. Generates .dev.vars on first start,
// applies D1 migrations to the local database, then serves on http://127.0.0.1:8787.
import { spawnSync } from "node:child_process";
import { ensureDevVars } from "./dev-vars.mjs";

ensureDevVars();
// wrangler asks for confirmation in a terminal; CI=true makes it apply without asking.
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const run = (args, extra = {}) => {
  const r = spawnSync("wrangler", args, { stdio: "inherit", env: { ...env, ...extra }, shell: process.platform === "win32" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(["d1", "migrations", "apply", "DB", "--local"], { CI: "true" });
run(["dev", "--ip", "127.0.0.1", "--port", process.env.PORT ?? "8787", ...process.argv.slice(2)]);
