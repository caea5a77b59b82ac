// One fingerprinting thread of `optout scan` / `optout import` (worker-pool.ts): computes isccOfFile for each
// path it is sent, one at a time, and answers with the result or the error's message.
import { parentPort } from "node:worker_threads";
import { enableFastBlake3 } from "../iscc/index.js";
import { isccOfFile } from "../media/file-iscc.js";

await enableFastBlake3();
parentPort!.on("message", async ({ id, path }: { id: number; path: string }) => {
  try {
    parentPort!.postMessage({ id, result: await isccOfFile(path) });
  } catch (e) {
    parentPort!.postMessage({ id, error: (e as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
