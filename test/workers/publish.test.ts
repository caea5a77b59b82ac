import { describe, expect, it, beforeAll } from "vitest";
import { parseRobotsTxt, preferenceRulesFor, rulesFor, matchTarget } from "../../src/dialects/robots-txt";
import { readContentUsage } from "../../src/dialects/content-usage";
import { parseTdmRepFile, tdmRuleFor } from "../../src/dialects/tdmrep";
import { parseRsl, rslPreferencesFor } from "../../src/dialects/rsl";
import { aiTxtPreferencesFor, parseAiTxt } from "../../src/dialects/ai-txt";
import { keypairFromSecret } from "../../src/domain/iscc-sig";
import { encodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { call, declaration, get, newKey, post, tableCounts } from "./helpers";

const owner = newKey();
const stranger = newKey();
// did:web:rights.example lists this key (test/fakes/did-hosts.ts): its URL rules there are domain-verified.
const verifiedOwner = keypairFromSecret(new Uint8Array(32).fill(0x42), { controller: "did:web:rights.example" });

beforeAll(async () => {
  for (const d of [
    await declaration(owner, { vocabulary: 2, urls: ["https://site.example/art/*"], preferences: { "train-ai": "n", search: "y" }, policy: "https://site.example/licensing" }),
    await declaration(owner, { urls: ["https://site.example/photo.jpg"], preferences: { all: "n" } }),
    await declaration(owner, { vocabulary: 2, urls: ["https://other.example/*"], preferences: { "train-ai": "n" } }),
    // Someone else's declaration on the same host is not the owner's to publish.
    await declaration(stranger, { vocabulary: 2, urls: ["https://site.example/*"], preferences: { "train-ai": "y" } }),
    await declaration(verifiedOwner, { vocabulary: 2, urls: ["https://rights.example/art/*"], preferences: { "train-ai": "n", search: "y" }, policy: "https://rights.example/licensing" }),
  ]) {
    expect((await post("/v1/declarations", d)).status).toBe(201);
  }
});

const multikey = (k: ReturnType<typeof newKey>) => encodeEd25519PublicMultikey(k.publicKey);
const publish = (file: string, declarant = multikey(owner)) => call("GET", `/v1/publish/site.example/${file}?declarant=${encodeURIComponent(declarant)}`);
const at = (path: string) => new URL("https://site.example" + path);

describe("GET /v1/publish/{host}/{file}", () => {
  it("a robots.txt block: Content-Usage and Content-Signal per path, only the declarant's", async () => {
    const r = await publish("robots.txt");
    expect(r.status).toBe(200);
    expect(r.type).toBe("text/plain; charset=utf-8");
    const robots = parseRobotsTxt(r.body);
    const group = rulesFor(robots, "anybot");
    expect(readContentUsage(preferenceRulesFor(group, matchTarget(at("/art/a.jpg")), "content-usage")[0]!.statement).preferences).toEqual({ "train-ai": "n", "draft-ai-use": "unknown", search: "y" });
    // The vocabulary-1 all=n declaration reserves every category.
    expect(readContentUsage(preferenceRulesFor(group, matchTarget(at("/photo.jpg")), "content-usage")[0]!.statement).preferences).toEqual({ "train-ai": "n", "draft-ai-use": "unknown", search: "n" });
    expect(preferenceRulesFor(group, matchTarget(at("/photo.jpg.old")), "content-usage")).toEqual([]);
    expect(r.body).not.toContain("train-ai=y");
  });

  it("tdmrep.json, ai.txt and an RSL document that read back the same", async () => {
    const tdm = await publish("tdmrep.json");
    expect(tdm.type).toBe("application/json");
    expect(tdmRuleFor(parseTdmRepFile(JSON.stringify(tdm.body)), at("/art/x"))).toEqual({ location: "/art/", reservation: 1, policy: "https://site.example/licensing" });
    const ai = await publish("ai.txt");
    expect(aiTxtPreferencesFor(parseAiTxt(ai.body), at("/photo.jpg"), "bot").preferences["train-ai"]).toBe("n");
    const rsl = await publish("rsl.xml");
    expect(rsl.type).toBe("application/rsl+xml");
    expect(rslPreferencesFor(parseRsl(rsl.body), at("/art/x")).preferences).toMatchObject({ "train-ai": "n", search: "y" });
  });

  it("refuses what it cannot publish, with a problem naming the field", async () => {
    const before = await tableCounts();
    // The stranger publishes only its own declaration on the host.
    expect((await publish("robots.txt", multikey(stranger))).body).toContain("Content-Usage: train-ai=y");
    const none = await publish("robots.txt", multikey(newKey()));
    expect(none.status).toBe(404);
    expect(none.type).toBe("application/problem+json");
    const badFile = await call("GET", `/v1/publish/site.example/humans.txt?declarant=x`);
    expect(badFile.status).toBe(422);
    expect(badFile.body.errors[0].pointer).toBe("/file");
    const badHost = await call("GET", `/v1/publish/Site..Example/robots.txt?declarant=x`);
    expect(badHost.body.errors[0].pointer).toBe("/host");
    expect((await call("GET", `/v1/publish/site.example/robots.txt`)).body.errors[0].pointer).toBe("/declarant");
    expect(await tableCounts()).toEqual(before);
  });
});

describe("GET /v1/lookup speaks every dialect", () => {
  it("sends tdm-reservation and tdm-policy beside Content-Usage, and the mapping in the body", async () => {
    const r = await get("/v1/lookup?url=https://rights.example/art/a.jpg");
    expect(r.headers.get("content-usage")).toBe("train-ai=n, search=y");
    expect(r.headers.get("tdm-reservation")).toBe("1");
    expect(r.headers.get("tdm-policy")).toBe("https://rights.example/licensing");
    expect(r.body.dialects).toMatchObject({ "content-signal": "search=yes, ai-train=no", "tdm-reservation": 1, "rsl-prohibits": ["ai-train"], "ai-txt": "Disallow" });
    expect(r.body.declarations.find((d: { policy: string | null }) => d.policy)).toBeTruthy();
    // A self-asserted declarant's n counts, its y and its policy do not (src/domain/consent.ts).
    const unverified = await get("/v1/lookup?url=https://site.example/art/a.jpg");
    expect(unverified.headers.get("content-usage")).toBe("train-ai=n");
    expect(unverified.headers.get("tdm-reservation")).toBe("1");
    expect(unverified.headers.get("tdm-policy")).toBeNull();
    expect(unverified.body.dialects).toMatchObject({ "content-signal": "ai-train=no", "tdm-policy": null, "ai-txt": "Disallow" });
    const none = await get("/v1/lookup?url=https://nobody.example/x");
    expect(none.headers.get("tdm-reservation")).toBeNull();
    expect(none.body.dialects).toBeUndefined();
    // Batch answers carry the same mapping for declared URLs.
    const batch = await post("/v1/lookup", { urls: ["https://rights.example/art/a.jpg"] });
    expect(batch.body.results[0].dialects).toEqual(r.body.dialects);
  });
});
