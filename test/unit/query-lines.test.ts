import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { queryLines } from "../../src/domain/query-lines";

describe("queryLines", () => {
  it("gives back what a client joined with \\n, blank entries included", () => {
    const line = fc.string().filter((s) => !s.includes("\n") && !s.endsWith("\r"));
    // A list ending in a blank entry joins to a text ending in a newline: that one is the exception.
    const lists = fc.array(line, { minLength: 1 }).filter((urls) => urls.length === 1 || urls.at(-1) !== "");
    fc.assert(
      fc.property(lists, (urls) => {
        expect(queryLines(urls.join("\n"))).toEqual(urls);
      }),
    );
  });

  it("takes one trailing newline (LF or CRLF) as the end of the last line", () => {
    expect(queryLines("a\nb\n")).toEqual(["a", "b"]);
    expect(queryLines("a\r\nb\r\n")).toEqual(["a", "b"]);
    expect(queryLines("a\n\n")).toEqual(["a", ""]);
    expect(queryLines("\n")).toEqual([""]);
    expect(queryLines("")).toEqual([""]);
    expect(queryLines("\na")).toEqual(["", "a"]);
  });
});
