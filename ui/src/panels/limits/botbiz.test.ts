import { describe, expect, it } from "vitest";
import { gaugeWindow } from "./botbiz";

describe("the Botbiz gauge's window", () => {
  it("reads limit, remaining and the Unix reset", () => {
    const w = gaugeWindow({ limit: 60, remaining: 15, reset: 1_800_000_060, scope: null });
    expect(w).toEqual({
      limit: 60,
      window_seconds: 60,
      used: 45,
      remaining: 15,
      resets_at: new Date(1_800_000_060_000).toISOString(),
    });
  });

  it("never shows more remaining than the limit, and nothing without headers", () => {
    expect(gaugeWindow({ limit: 5, remaining: 9, reset: 0, scope: null })?.used).toBe(0);
    expect(gaugeWindow(null)).toBeNull();
  });
});
