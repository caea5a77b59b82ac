import { describe, expect, it } from "vitest";
import { normalizeRegistryName, registryNameOfUrl, sameRegistryName } from "../../src/domain/registry-name";

describe("registry names compare as hosts, not strings", () => {
  it("normalizes case, a trailing dot, default ports, IDNA and IPv4 spellings", () => {
    const cases: [string, string][] = [
      ["localhost:8787", "localhost:8787"],
      ["LOCALHOST:8787", "localhost:8787"],
      ["localhost.:8787", "localhost:8787"],
      ["Registry.Example.ORG", "registry.example.org"],
      ["registry.example.org.", "registry.example.org"],
      ["registry.example.org:443", "registry.example.org"],
      ["registry.example.org:80", "registry.example.org"],
      ["bücher.example", "xn--bcher-kva.example"],
      ["127.0.0.1:8801", "127.0.0.1:8801"],
      ["2130706433:8801", "127.0.0.1:8801"],
      ["[::1]:8787", "[::1]:8787"],
      ["[0:0::1]:8787", "[::1]:8787"],
    ];
    for (const [name, normal] of cases) expect(normalizeRegistryName(name), name).toBe(normal);
  });

  it("refuses what is not host[:port]", () => {
    for (const bad of ["", "https://x.example", "x.example/path", "user@x.example", "x.example?q", "x.example#f", "a b", "x.example:99999", "x%2Eexample", "."])
      expect(normalizeRegistryName(bad), bad).toBeNull();
  });

  it("sameRegistryName: our own name in another spelling is still us", () => {
    expect(sameRegistryName("localhost:8787", "LOCALHOST:8787")).toBe(true);
    expect(sameRegistryName("localhost:8787", "localhost.:8787")).toBe(true);
    expect(sameRegistryName("localhost:8787", "localhost:8788")).toBe(false);
    expect(sameRegistryName("localhost", "localhost:80")).toBe(true);
    expect(sameRegistryName("a.example", "b.example")).toBe(false);
    expect(sameRegistryName("not a name", "not a name")).toBe(false);
  });

  it("registryNameOfUrl: the name a base URL addresses", () => {
    expect(registryNameOfUrl("http://LOCALHOST:8787/")).toBe("localhost:8787");
    expect(registryNameOfUrl("https://registry.example.org.")).toBe("registry.example.org");
    expect(registryNameOfUrl("https://registry.example.org:443/base")).toBe("registry.example.org");
    expect(registryNameOfUrl("ftp://x.example")).toBeNull();
    expect(registryNameOfUrl("nope")).toBeNull();
  });
});
