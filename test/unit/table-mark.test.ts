import { describe, expect, it } from "vitest";
import { compareView, rowMark, type TableMark } from "../../src/domain/table-mark";

const mark: TableMark = { first: rowMark(1, 1, "a"), last: rowMark(100, 40, "z") };

describe("compareView: what a read of an append-only table means for a copy of it", () => {
  it("the same table, grown or not", () => {
    expect(compareView(mark, { first: rowMark(1, 1, "a"), last: rowMark(100, 40, "z"), atMark: rowMark(100, 40, "z") })).toBe("current");
    expect(compareView(mark, { first: rowMark(1, 1, "a"), last: rowMark(130, 52, "q"), atMark: rowMark(100, 40, "z") })).toBe("grown");
  });

  it("a replica that has not applied the copy's last rows is behind: keep the copy, do not reload", () => {
    expect(compareView(mark, { first: rowMark(1, 1, "a"), last: rowMark(60, 20, "m"), atMark: null })).toBe("behind");
  });

  it("another table (rebuilt, restored, emptied, or other rows at the same rowids) is reloaded", () => {
    expect(compareView(mark, { first: rowMark(1, 7, "b"), last: rowMark(100, 40, "z"), atMark: rowMark(100, 40, "z") })).toBe("other");
    expect(compareView(mark, { first: rowMark(1, 1, "a"), last: rowMark(130, 52, "q"), atMark: rowMark(100, 41, "y") })).toBe("other");
    expect(compareView(mark, { first: rowMark(1, 1, "a"), last: rowMark(130, 52, "q"), atMark: null })).toBe("other");
    expect(compareView(mark, { first: null, last: null, atMark: null })).toBe("other");
    expect(compareView(null, { first: rowMark(1, 1, "a"), last: rowMark(1, 1, "a"), atMark: null })).toBe("other");
  });
});
