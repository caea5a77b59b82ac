import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, get } from "./helpers";

/**
 * Walks /openapi.json: every documented operation is served (answered by its route, never by the
 * no-route fallback or a 500), every GET refuses an unknown or ill-typed query parameter with a
 * 422 problem naming it, and every body is read under a limit.
 */
type Operation = { parameters?: { name: string; in: string; schema?: { type?: string } }[]; requestBody?: { content: Record<string, unknown> } };
const OPERATOR = { authorization: "Bearer test-operator-token" };

/** A value for each path parameter that names nothing but is well formed. */
const SAMPLE: Record<string, string> = { id: "ISCC:MAIWFKZKGDN3NKAA", name: "nobody.example", path: "0/000", slug: "invalid-request" };

async function operations(): Promise<{ path: string; method: string; op: Operation; url: string }[]> {
  const doc = (await get("/openapi.json")).body as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op, url: path.replace(/\{(\w+)\}/g, (_, p: string) => SAMPLE[p] ?? "x") })),
  );
}

async function problemOf(res: Response): Promise<{ type: string; status: number; errors?: { pointer: string }[] }> {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as { type: string; status: number; errors?: { pointer: string }[] };
}

describe("every route in /openapi.json", () => {
  it("is served by its own route", async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(20);
    for (const { method, url } of ops) {
      const res = await SELF.fetch(BASE + url, { method: method.toUpperCase(), headers: OPERATOR });
      expect(res.status, `${method} ${url}`).not.toBe(500);
      const type = res.headers.get("content-type") ?? "";
      if (type.includes("problem")) expect((await problemOf(res)).type, `${method} ${url}`).not.toMatch(/\/problems\/no-route$/);
      else await res.arrayBuffer();
    }
  });

  it("GET: an unknown or ill-typed query parameter is a 422 problem naming it", async () => {
    for (const { method, op, url } of await operations()) {
      if (method !== "get") continue;
      const unknown = await SELF.fetch(`${BASE}${url}?bogus=1`, { headers: OPERATOR });
      expect(unknown.status, `GET ${url}?bogus=1`).toBe(422);
      expect((await problemOf(unknown)).errors?.map((e) => e.pointer), url).toContain("/bogus");
      for (const p of op.parameters ?? []) {
        if (p.in !== "query" || (p.schema?.type !== "integer" && p.schema?.type !== "number")) continue;
        const bad = await SELF.fetch(`${BASE}${url}?${p.name}=twelve`, { headers: OPERATOR });
        expect(bad.status, `GET ${url}?${p.name}=twelve`).toBe(422);
        expect((await problemOf(bad)).errors?.map((e) => e.pointer), url).toContain(`/${p.name}`);
      }
    }
  });

  it("a body is read under a limit: one byte past the largest (8 MiB) is a 413 problem", async () => {
    const oversize = " ".repeat(8 * 1024 * 1024) + "{}";
    let bodies = 0;
    for (const { method, op, url } of await operations()) {
      if (!op.requestBody) continue;
      bodies++;
      for (const contentType of Object.keys(op.requestBody.content)) {
        const res = await SELF.fetch(BASE + url, { method: method.toUpperCase(), headers: { ...OPERATOR, "content-type": contentType }, body: oversize });
        expect(res.status, `${method} ${url} (${contentType})`).toBe(413);
        expect((await problemOf(res)).type).toMatch(/\/problems\/body-too-large$/);
      }
    }
    expect(bodies).toBeGreaterThanOrEqual(7);
  });
});

describe("problem types", () => {
  it("point at this registry's own pages, which say what went wrong and how to fix it", async () => {
    const res = await SELF.fetch(BASE + "/v1/lookup?url=ftp://x.example/");
    const p = await problemOf(res);
    expect(p.type).toBe(`${BASE}/problems/invalid-request`);
    const page = await SELF.fetch(p.type);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain("How to fix it");
    const asJson = await SELF.fetch(p.type, { headers: { accept: "application/json" } });
    expect(await asJson.json()).toMatchObject({ type: p.type, status: 422, title: "The request is not valid", fix: expect.any(String) });
  });

  it("an unknown slug is a 404 problem", async () => {
    const res = await SELF.fetch(BASE + "/problems/no-such-thing");
    expect(res.status).toBe(404);
    expect((await problemOf(res)).type).toBe(`${BASE}/problems/not-found`);
  });
});
