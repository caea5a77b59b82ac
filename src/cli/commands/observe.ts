import { verifyNotarized } from "../auditor";
import { defineCommand } from "../command";
import { EXIT_FAILURE } from "../errors";

interface Notarized {
  digest: string;
  seq: number;
  observation: {
    url: string;
    observed_at: string;
    content_usage: string;
    documents: { url: string; final_url: string; outcome: string; status: number | null; bytes: number; sha256: string; truncated: boolean; error?: string }[];
    sources: { kind: string; status: string; statement: string | null }[];
  } & Record<string, unknown>;
  receipt: Record<string, unknown>;
  proof: { leaf_index: number; tree_size: number; proof: string[]; checkpoint: string };
}

export default defineCommand({
  name: "observe",
  args: "<url>",
  summary: "have the registry fetch what a site publishes about a URL and notarize it in its log, then verify the result",
  flags: {
    "registry-key": { type: "string", value: "z6Mk…", help: "the registry key you trust (default: the one its descriptor presents, shown in the output)" },
  },
  async run(ctx, [url]) {
    const registry = ctx.registry();
    const { body } = await registry.post<Notarized>("v1/observations", { url });
    // The answer is evidence only once its signatures and its inclusion in the signed log check out here.
    const { steps, keyNote } = await verifyNotarized(registry, body, { registryKey: ctx.flags["registry-key"] });
    const ok = steps.every((s) => s.ok);
    ctx.print({ ok, steps, ...body }, (r) => {
      const o = r.observation;
      return [
        `observed ${o.url} at ${o.observed_at}: digest ${r.digest}, seq ${r.seq}`,
        ...o.documents.map((d) => `  ${d.outcome === "ok" ? String(d.status) : "---"}  ${d.url}${d.final_url !== d.url ? ` → ${d.final_url}` : ""}  ${d.bytes} bytes${d.truncated ? " (truncated)" : ""}  sha256 ${d.sha256.slice(0, 16)}…${d.error ? `  ${d.error}` : ""}`),
        ...o.sources.filter((s) => s.status === "stated").map((s) => `  ${s.kind}: ${s.statement ?? ""}`),
        `  combined: ${o.content_usage || "(nothing stated)"}`,
        ...steps.map((s) => `${s.ok ? "ok  " : "FAIL"}  ${s.step.padEnd(20)} ${s.detail}`),
        `${ok ? "NOTARIZED" : "NOT VERIFIED"} (${keyNote})`,
      ].join("\n");
    });
    return ok ? 0 : EXIT_FAILURE;
  },
});
