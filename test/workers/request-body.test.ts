/** Request bodies are read as UTF-8 and refused whole when they are not (src/http/body.ts). */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE } from "./helpers";

describe("request bodies", () => {
  const send = (bytes: Uint8Array) => SELF.fetch(`${BASE}/v1/lookup`, { method: "POST", headers: { "content-type": "application/json" }, body: bytes });
  const utf8 = (s: string) => new TextEncoder().encode(s);

  it("a body that is not UTF-8 is refused; a U+FFFD sent as UTF-8 is text like any other", async () => {
    const bad = utf8('{"urls":["https://x.example/a?q=\u00e9"]}');
    const at = bad.indexOf(0xc3);
    bad[at] = 0xff; // not a UTF-8 lead byte
    const refused = await send(bad);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { type: string }).type).toMatch(/malformed-body$/);
    const fine = await send(utf8('{"urls":["https://x.example/a?q=\ufffd"]}'));
    expect(fine.status).toBe(200);
    expect(((await fine.json()) as { results: { normalized: string }[] }).results[0]!.normalized).toBe("https://x.example/a?q=%EF%BF%BD");
  });
});
