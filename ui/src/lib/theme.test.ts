import { describe, expect, it } from "vitest";
import { markGenericFonts } from "./theme";

describe("markGenericFonts", () => {
  it("asks for the generic families on Linux", () => {
    const root = document.createElement("html");
    markGenericFonts(root, "Linux x86_64");
    expect(root.dataset.fonts).toBe("generic");
  });

  it("keeps the named stack on macOS and Windows", () => {
    for (const platform of ["MacIntel", "Win32"]) {
      const root = document.createElement("html");
      markGenericFonts(root, platform);
      expect(root.dataset.fonts).toBeUndefined();
    }
  });
});
