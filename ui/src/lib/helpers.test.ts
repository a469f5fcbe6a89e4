import { describe, expect, it } from "vitest";
import { BackendError } from "./backend";
import { adviceFor, missingScope } from "./errors";
import { formatCount, formatPercent } from "./format";
import { baseUrlProblem } from "./url";

describe("baseUrlProblem", () => {
  it("accepts http and https base URLs", () => {
    expect(baseUrlProblem("https://api.botbat.com/v1")).toBeNull();
    expect(baseUrlProblem("  http://127.0.0.1:4010/v1 ")).toBeNull();
  });

  it("explains what is wrong with anything else", () => {
    expect(baseUrlProblem("")).toMatch(/Enter a base URL/);
    expect(baseUrlProblem("api.botbat.com/v1")).toMatch(/http:\/\/ or https:\/\//);
    expect(baseUrlProblem("ftp://api.botbat.com")).toMatch(/http:\/\/ or https:\/\//);
    expect(baseUrlProblem("https://api botbat.com")).toMatch(/spaces/);
    expect(baseUrlProblem("https://api.botbat.com/v1?x=1")).toMatch(/query string/);
    expect(baseUrlProblem("https://user:pw@api.botbat.com/v1")).toMatch(/credentials/);
  });
});

describe("format", () => {
  it("shows a ratio as a percentage with one decimal", () => {
    expect(formatPercent(0)).toBe("0.0%");
    expect(formatPercent(0.0251)).toBe("2.5%");
    expect(formatPercent(1)).toBe("100.0%");
    expect(formatPercent(Number.NaN)).toBe("0.0%");
  });

  it("groups thousands", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
  });
});

describe("adviceFor", () => {
  it("sends 401 to Settings", () => {
    const advice = adviceFor(new BackendError("unauthorized", "invalid key", 401));
    expect(advice.hint).toMatch(/management key is missing or invalid/);
    expect(advice.settings).toBe(true);
  });

  it("names the missing scope of a 403", () => {
    expect(missingScope("The API key lacks the required scope usage:read")).toBe("usage:read");
    const advice = adviceFor(new BackendError("forbidden", "missing scope `webhooks:manage`", 403));
    expect(advice.hint).toContain("webhooks:manage");
  });

  it("points unreachable at the base URL", () => {
    expect(adviceFor(new BackendError("unreachable", "connection refused")).hint).toMatch(/base URL in Settings/);
  });
});
