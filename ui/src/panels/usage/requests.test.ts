import { describe, expect, it } from "vitest";
import { logWindowsFor, sinceToFrom, WINDOW_ROWS } from "./requests";

describe("logWindowsFor", () => {
  it("asks for the first window of an empty or unknown log", () => {
    expect(logWindowsFor(0, 0)).toEqual([0]);
  });

  it("asks only for the windows the rows in view fall in", () => {
    expect(logWindowsFor(0, 20)).toEqual([0]);
    expect(logWindowsFor(WINDOW_ROWS - 5, WINDOW_ROWS + 5)).toEqual([0, 1]);
    // Deep in 100,000 rows: one window, not every one before it.
    expect(logWindowsFor(99_980, 100_000)).toEqual([Math.floor(99_980 / WINDOW_ROWS)]);
  });
});

describe("sinceToFrom", () => {
  const now = Date.parse("2026-11-30T10:15:42.123Z");

  it("is null for any time or an unknown choice", () => {
    expect(sinceToFrom("", now)).toBeNull();
    expect(sinceToFrom("2y", now)).toBeNull();
  });

  it("starts on a whole minute, so the question holds still", () => {
    expect(sinceToFrom("1h", now)).toBe("2026-11-30T09:15:00.000Z");
    expect(sinceToFrom("24h", now + 10_000)).toBe("2026-11-29T10:15:00.000Z");
  });
});
