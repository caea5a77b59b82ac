#!/usr/bin/env node
// Completes package-lock.json with the foreign-platform optional packages this machine's npm
// registry does not serve (e.g. workerd's darwin and windows builds). `npm install` skips an
// optional package it cannot fetch and leaves it out of the lockfile; `npm ci` then refuses the
// lockfile as out of sync. Each missing entry is written with the os/cpu/libc its name states,
// so npm skips it on other platforms exactly as it would with the registry's own metadata.
// Run after `npm install` changes the lockfile: `node scripts/lock-foreign-platforms.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const packages = lock.packages;

const OS = [["android", "android"], ["darwin", "darwin"], ["freebsd", "freebsd"], ["linux", "linux"], ["win32", "win32"], ["windows", "win32"]];
const CPU = [["arm64", "arm64"], ["aarch64", "arm64"], ["x64", "x64"], ["ia32", "ia32"], ["arm", "arm"], ["ppc64", "ppc64"], ["s390x", "s390x"], ["riscv64", "riscv64"], ["64", "x64"]];

/** os, cpu and libc from a platform package name such as workerd-darwin-arm64 or blake-hash-linux-x64-musl. */
function platformOf(name) {
  const parts = name.split("/").pop().split("-");
  const os = OS.find(([word]) => parts.includes(word))?.[1];
  const cpu = CPU.find(([word]) => parts.includes(word))?.[1];
  if (!os || !cpu) return null;
  const libc = parts.includes("musl") ? "musl" : os === "linux" && (parts.includes("gnu") || parts.includes("gnueabihf")) ? "glibc" : null;
  return { os, cpu, libc };
}

/** Where npm would place dependency `dep` of the package at `path` (nested first, then upwards). */
function resolvedPath(path, dep) {
  let base = path;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    const i = base.lastIndexOf("/node_modules/");
    if (base === "") return null;
    base = i === -1 ? "" : base.slice(0, i);
  }
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (resolvedPath(path, dep)) continue;
    const platform = platformOf(dep);
    if (!platform) {
      console.warn(`left alone: ${dep}@${version} (optional for ${path || "the root"}, no platform in its name)`);
      continue;
    }
    const key = `${path ? `${path}/` : ""}node_modules/${dep}`;
    packages[key] = {
      version,
      cpu: [platform.cpu],
      // npm marks a dev dependency's optional packages dev too; writing it here keeps the
      // lockfile unchanged by a later `npm install`.
      ...(entry.dev ? { dev: true } : {}),
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      optional: true,
      os: [platform.os],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(`package-lock.json: ${added} foreign-platform optional package${added === 1 ? "" : "s"} added`);
