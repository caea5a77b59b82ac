import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROBLEM_TYPES } from "../../src/http/problem-types";

function sources(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [{ path, text: readFileSync(path, "utf8") }] : [];
  });
}

const src = sources("src");
const catalogue = new Set(Object.keys(PROBLEM_TYPES));

describe("the problem catalogue (src/http/problem-types.ts)", () => {
  it("has every slug the code throws, and the status the sequencer gives it", () => {
    const thrown: { slug: string; where: string; status?: number }[] = [];
    for (const { path, text } of src) {
      for (const m of text.matchAll(/new Problem\(\s*"([^"]+)"/g)) thrown.push({ slug: m[1]!, where: path });
      // Sequencer refusals carry their slug and status across the Durable Object boundary.
      for (const m of text.matchAll(/reject\(\s*(\d{3}),\s*"([^"]+)"/g)) thrown.push({ slug: m[2]!, where: path, status: Number(m[1]) });
      // Slugs chosen from a table (the webhook signature failures).
      for (const m of text.matchAll(/"(webhook-[a-z-]+)"/g)) if (/Problem/.test(text)) thrown.push({ slug: m[1]!, where: path });
    }
    expect(thrown.length).toBeGreaterThan(20);
    const webhookHeaders = new Set(["webhook-id", "webhook-timestamp", "webhook-signature", "webhook-source"]);
    for (const t of thrown) {
      if (webhookHeaders.has(t.slug)) continue;
      expect(catalogue.has(t.slug), `${t.slug} (${t.where}) is not in the catalogue`).toBe(true);
      if (t.status !== undefined) expect(PROBLEM_TYPES[t.slug as keyof typeof PROBLEM_TYPES].status, `${t.slug} in ${t.where}`).toBe(t.status);
    }
  });

  it("has no entry the code never uses", () => {
    const code = src.filter((f) => !f.path.endsWith("problem-types.ts")).map((f) => f.text).join("\n");
    for (const slug of catalogue) expect(code.includes(`"${slug}"`), `${slug} is never thrown`).toBe(true);
  });

  it("says for every type what went wrong and how to fix it", () => {
    for (const [slug, t] of Object.entries(PROBLEM_TYPES)) {
      expect(slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(t.problem.length, slug).toBeGreaterThan(20);
      expect(t.fix.length, slug).toBeGreaterThan(20);
    }
  });

  it("nothing points at a placeholder domain for problem types", () => {
    for (const file of [...src, ...["README.md", "docs/ARCHITECTURE.md"].map((path) => ({ path, text: readFileSync(path, "utf8") }))])
      expect(file.text, file.path).not.toMatch(/optout\.example|example\.\w+\/problems/);
  });
});
