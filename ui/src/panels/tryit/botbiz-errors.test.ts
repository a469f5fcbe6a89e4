import { describe, expect, it } from "vitest";
import { botbizError } from "./botbiz-errors";

describe("Botbiz errors", () => {
  it("reads code and message and gives each documented code its own hint", () => {
    const codes = ["invalid_request", "unauthorized", "forbidden", "not_found", "rate_limit_exceeded", "server_error"];
    const hints = codes.map((code) => botbizError({ error: { code, message: "m", status: 400 } }));
    for (const [i, e] of hints.entries()) {
      expect(e?.code).toBe(codes[i]);
      expect(e?.message).toBe("m");
      expect(e?.hint).not.toMatch(/error table/);
    }
    expect(new Set(hints.map((e) => e?.hint)).size).toBe(codes.length);
  });

  it("an unknown code still shows, and a body that is not an error shows nothing", () => {
    expect(botbizError({ error: { code: "teapot", message: "short and stout" } })?.hint).toMatch(/error table/);
    expect(botbizError({ data: [] })).toBeNull();
    expect(botbizError(null)).toBeNull();
    expect(botbizError({ error: "flat" })).toBeNull();
  });
});
