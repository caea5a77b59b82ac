// One fingerprinting thread of `optout scan` / `optout import` (worker-pool.ts): computes isccOfFile for each
// path it is sent and answers with the result or the error's message. Paths come in batches and answers go back
// in batches of `workerData.batch` (fewer once fewer files than that are still running here, e.g. only the slow
// audio and video ones, so the worker is never left idle waiting for more): every message wakes the other thread,
// and on two busy cores a wake-up costs the sender its core for a while (profiles: ~0.3-0.5 ms a message).
import { parentPort, workerData } from "node:worker_threads";
import { enableFastBlake3 } from "../iscc/index.js";
import { isccOfFile } from "../media/file-iscc.js";
import { closeToolHelper, startToolsFromHelper } from "../media/system-tools.js";
import type { Answer } from "./worker-pool.js";

const batch = (workerData as { batch: number }).batch;
await enableFastBlake3();
startToolsFromHelper();
let answers: Answer[] = [];
let running = 0;
const answer = (a: Answer) => {
  running--;
  answers.push(a);
  if (answers.length < batch && running >= batch) return;
  parentPort!.postMessage({ answers });
  answers = [];
};
parentPort!.on("message", ({ jobs, close }: { jobs?: [id: number, path: string][]; close?: true }) => {
  if (close) {
    void closeToolHelper().then(() => parentPort!.postMessage({ closed: true }));
    return;
  }
  if (!jobs) return;
  running += jobs.length;
  for (const [id, path] of jobs) {
    let stat: [number, number] = [0, 0];
    isccOfFile(path, (size, mtimeMs) => (stat = [size, mtimeMs])).then(
      (result) => answer({ id, result, stat }),
      (e: unknown) => answer({ id, error: (e as Error).message }),
    );
  }
});
parentPort!.postMessage({ ready: true });
