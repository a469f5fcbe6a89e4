import { describe, expect, it } from "vitest";
import { KEY_NAME_MAX, rotatedName } from "./naming";

describe("rotatedName", () => {
  const at = new Date(2026, 10, 29, 14, 5);

  it("names the replacement after the key and the day of the rotation", () => {
    expect(rotatedName("CRM sync", at)).toBe("CRM sync (rotated 29 Nov)");
    expect(rotatedName("  CRM sync ", new Date(2027, 0, 3))).toBe("CRM sync (rotated 3 Jan)");
  });

  it("replaces the date of an earlier rotation instead of stacking a second one", () => {
    expect(rotatedName("CRM sync (rotated 2 Oct)", at)).toBe("CRM sync (rotated 29 Nov)");
    expect(rotatedName("Notes (rotated soon)", at)).toBe("Notes (rotated soon) (rotated 29 Nov)");
  });

  it("stays within the platform's 100 characters", () => {
    const long = "x".repeat(KEY_NAME_MAX);
    const name = rotatedName(long, at);
    expect([...name].length).toBeLessThanOrEqual(KEY_NAME_MAX);
    expect(name.endsWith("… (rotated 29 Nov)")).toBe(true);
  });
});
