// Worker threads do not inherit the TypeScript loader the CLI registered, so each registers its own.
import { register } from "tsx/esm/api";

register();
await import("./fingerprint-worker.ts");
