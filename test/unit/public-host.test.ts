import { describe, expect, it } from "vitest";
import { classifyHost, isLoopbackHost, isPublicHost } from "../../src/domain/public-host";

describe("classifyHost: what a did:web host may reach", () => {
  it("sees loopback in every IPv4 spelling WHATWG accepts", () => {
    for (const h of ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "0177.1", "127.255.255.254", "127%2E0%2E0%2E1"])
      expect(classifyHost(h), h).toBe("loopback");
  });

  it("sees loopback names and IPv6 literals", () => {
    for (const h of ["localhost", "LOCALHOST", "localhost.", "api.localhost", "x.y.localhost", "[::1]", "::1", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]"])
      expect(classifyHost(h), h).toBe("loopback");
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("10.0.0.1")).toBe(false);
  });

  it("refuses private, link-local, unspecified and reserved ranges", () => {
    const cases: [string, string][] = [
      ["10.1.2.3", "private"],
      ["167772161", "private"], // 10.0.0.1
      ["172.16.0.1", "private"],
      ["172.31.255.255", "private"],
      ["192.168.1.1", "private"],
      ["0xc0a80101", "private"],
      ["100.64.0.1", "private"],
      ["169.254.169.254", "link-local"],
      ["2852039166", "link-local"], // 169.254.169.254
      ["0.0.0.0", "unspecified"],
      ["0", "unspecified"],
      ["224.0.0.1", "reserved"],
      ["255.255.255.255", "reserved"],
      ["192.0.2.10", "reserved"],
      ["198.18.0.1", "reserved"],
      ["[::]", "unspecified"],
      ["[fc00::1]", "private"],
      ["[fd12:3456::1]", "private"],
      ["[fe80::1]", "link-local"],
      ["[febf::1]", "link-local"],
      ["[fec0::1]", "private"],
      ["[ff02::1]", "reserved"],
      ["[2001:db8::1]", "reserved"],
      ["[::ffff:10.0.0.1]", "private"],
      ["[::ffff:169.254.169.254]", "link-local"],
      ["[64:ff9b:1::1]", "private"],
    ];
    for (const [h, cls] of cases) expect(classifyHost(h), h).toBe(cls);
  });

  it("refuses intranet names", () => {
    for (const h of ["intranet", "printer.local", "db.internal", "nas.home.arpa", "router.lan", "1.0.0.127.in-addr.arpa"]) expect(classifyHost(h), h).toBe("local-name");
  });

  it("accepts public names and addresses, including ones that only look private", () => {
    for (const h of ["example.com", "rights.example", "xn--bcher-kva.example", "bücher.example", "8.8.8.8", "172.32.0.1", "172.15.255.255", "192.169.0.1", "100.128.0.1", "[2606:4700::1111]", "[2001:4860:4860::8888]", "localhost.example.com", "10.example"])
      expect(isPublicHost(h), h).toBe(true);
  });

  it("calls anything that is not a bare host invalid", () => {
    for (const h of ["", "a b", "example.com/x", "user@example.com", "example.com:443", "127.0.0.1:80", "[::1]:80", "[::1%25eth0]", "256.1.1.1.1", "a..b", "http://x"])
      expect(classifyHost(h), h).toBe("invalid");
  });
});
