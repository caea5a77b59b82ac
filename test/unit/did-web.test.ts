import { describe, expect, it } from "vitest";
import { didDocumentHasKey, didWebDocumentUrl, didWebDomain, didWebFetchUrl, didWebHost } from "../../src/domain/did-web";

const KEY = "z6MkghLt1e8m1fmANsdJJco3aCLV8Xnigr5UWwC3u5iZFPd3";

describe("did:web documents", () => {
  it("maps a DID to its document URL (host, path, %3A port)", () => {
    expect(didWebDocumentUrl("did:web:example.com")?.href).toBe("https://example.com/.well-known/did.json");
    expect(didWebDocumentUrl("did:web:example.com:users:alice")?.href).toBe("https://example.com/users/alice/did.json");
    expect(didWebDocumentUrl("did:web:example.com%3A8443")?.href).toBe("https://example.com:8443/.well-known/did.json");
    for (const bad of ["did:key:z6Mk", "did:web:", "did:web:exa mple.com", "did:web:%zz", "did:web:example.com:%E0%A4%A", "did:web:ex/ample.com", "did:web:[::1]"])
      expect(didWebDocumentUrl(bad), bad).toBeNull();
  });

  it("fetches only public hosts: no loopback, private, link-local, metadata or intranet controllers", () => {
    for (const did of [
      "did:web:127.0.0.1%3A8798",
      "did:web:127.0.0.1",
      "did:web:2130706433",
      "did:web:0x7f000001",
      "did:web:0177.0.0.1",
      "did:web:127.1",
      "did:web:localhost",
      "did:web:localhost%3A8787",
      "did:web:api.localhost",
      "did:web:10.0.0.1%3A80",
      "did:web:192.168.1.1",
      "did:web:169.254.169.254",
      "did:web:0",
      "did:web:intranet",
      "did:web:db.internal",
      "did:web:printer.local",
    ])
      expect(didWebFetchUrl(did), did).toBeNull();
    expect(didWebFetchUrl("did:web:example.com")?.href).toBe("https://example.com/.well-known/did.json");
    expect(didWebFetchUrl("did:web:8.8.8.8")?.href).toBe("https://8.8.8.8/.well-known/did.json");
  });

  it("fetches loopback only when allowed for development, and then over http", () => {
    expect(didWebFetchUrl("did:web:127.0.0.1%3A8798", { allowLoopback: true })?.href).toBe("http://127.0.0.1:8798/.well-known/did.json");
    expect(didWebFetchUrl("did:web:localhost%3A9000:alice", { allowLoopback: true })?.href).toBe("http://localhost:9000/alice/did.json");
    // private networks stay refused even then
    expect(didWebFetchUrl("did:web:10.0.0.1", { allowLoopback: true })).toBeNull();
    expect(didWebFetchUrl("did:web:example.com", { allowLoopback: true })?.protocol).toBe("https:");
  });

  it("grants a domain only to a DID that is the host alone", () => {
    expect(didWebDomain("did:web:Example.COM")).toBe("example.com");
    expect(didWebDomain("did:web:example.com:users:alice")).toBeNull();
    expect(didWebDomain("did:web:example.com%3A8443")).toBeNull();
    expect(didWebDomain("did:key:z6Mk")).toBeNull();
    expect(didWebHost("did:web:example.com:users:alice")).toBe("example.com");
  });

  it("finds the key among the document's verification methods, for that DID only", () => {
    const doc = { id: "did:web:example.com", verificationMethod: [{ publicKeyMultibase: KEY }] };
    expect(didDocumentHasKey(doc, "did:web:example.com", KEY)).toBe(true);
    expect(didDocumentHasKey(doc, "did:web:other.example", KEY)).toBe(false);
    expect(didDocumentHasKey(doc, "did:web:example.com", "z6MkOther")).toBe(false);
    expect(didDocumentHasKey(null, "did:web:example.com", KEY)).toBe(false);
  });
});
