import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, declaration, newKey, post } from "./helpers";

/**
 * The Spawning-compatible endpoint as Spawning's own client (datadiligence, rules/spawning.py)
 * calls it: POST, `Content-Type: text/plain`, `Authorization: API <key>`, the chunk's URLs joined
 * with "\n" (no trailing newline), at most 10,000 a chunk. It reads `urls` from the answer and maps
 * them to its input by position (`is_allowed`: `not optOut` per answer, in order) or takes `url`
 * from each answer (`filter_allowed`).
 */
async function datadiligenceQuery(urls: string[], path = "/api/v2/query/urls/") {
  const res = await SELF.fetch(BASE + path, {
    method: "POST",
    headers: { "User-Agent": "python-requests/2.31.0", "Content-Type": "text/plain", Authorization: "API sample-key" },
    body: urls.join("\n"),
  });
  const body = res.status === 200 ? ((await res.json()) as { urls: { url: string; optOut: boolean; optIn: boolean }[] }) : null;
  return {
    status: res.status,
    answers: body?.urls ?? [],
    isAllowed: body ? body.urls.map((r) => !r.optOut) : [],
    filterAllowed: body ? body.urls.filter((r) => !r.optOut).map((r) => r.url) : [],
  };
}

const OUT = "https://spawning-out.example/art/1.jpg";
const FREE = "https://spawning-free.example/a.jpg";

beforeAll(async () => {
  const key = newKey();
  expect((await post("/v1/declarations", await declaration(key, { urls: ["https://spawning-out.example/art/*"], preferences: { "train-ai": "n" } }))).status).toBe(201);
});

describe("Spawning-compatible query, as datadiligence uses it", () => {
  it("answers one entry per input line, in order: a blank line does not shift the answers", async () => {
    const q = await datadiligenceQuery(["", OUT, FREE]);
    expect(q.status).toBe(200);
    expect(q.answers).toEqual([
      { url: "", optOut: false, optIn: false },
      { url: OUT, optOut: true, optIn: false },
      { url: FREE, optOut: false, optIn: false },
    ]);
    expect(q.isAllowed).toEqual([true, false, true]);
    expect(q.filterAllowed).toEqual(["", FREE]);
  });

  it("answers an unparseable line with both false and the line as url, and keeps blank lines anywhere", async () => {
    const q = await datadiligenceQuery([OUT, "not a url", "", "", FREE]);
    expect(q.answers.map((a) => a.url)).toEqual([OUT, "not a url", "", "", FREE]);
    expect(q.isAllowed).toEqual([false, true, true, true, true]);
  });

  it("takes one trailing newline as the end of the last line, not as a line", async () => {
    for (const [body, urls] of [
      [`${OUT}\n${FREE}\n`, [OUT, FREE]],
      [`${OUT}\r\n${FREE}\r\n`, [OUT, FREE]],
      [`${OUT}\n\n`, [OUT, ""]],
      ["\n", [""]],
      ["", [""]],
    ] as const) {
      const res = await SELF.fetch(BASE + "/api/v2/query/urls/", { method: "POST", headers: { "content-type": "text/plain" }, body });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { urls: { url: string }[] }).urls.map((u) => u.url)).toEqual(urls);
    }
  });

  it("accepts the path without its trailing slash", async () => {
    const q = await datadiligenceQuery([OUT, FREE], "/api/v2/query/urls");
    expect(q.status).toBe(200);
    expect(q.isAllowed).toEqual([false, true]);
  });

  it("takes a full chunk of 10,000 URLs and refuses 10,001 lines with a problem", async () => {
    const urls = Array.from({ length: 10_000 }, (_, i) => `https://chunk${i % 13}.example/${i}`);
    urls[9_999] = OUT;
    const q = await datadiligenceQuery(urls);
    expect(q.answers).toHaveLength(10_000);
    expect(q.isAllowed[9_999]).toBe(false);
    const res = await SELF.fetch(BASE + "/api/v2/query/urls/", { method: "POST", headers: { "content-type": "text/plain" }, body: [...urls, FREE].join("\n") });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
