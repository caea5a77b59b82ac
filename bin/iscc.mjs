#!/usr/bin/env node
// Runs the TypeScript source directly through tsx, so `npx iscc` works from a clean clone
// under Node 20 and 22 with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/iscc.ts");
process.exitCode = await main(process.argv.slice(2));
