import { describe, expect, it } from "vitest";
import { BackendError } from "./backend";
import type { Code } from "./bindings/Code";
import { adviceFor, missingScope } from "./errors";
import { formatCount, formatDuration, formatPercent, relativeTime, secondsUntil } from "./format";
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

  it("says how long ago or until", () => {
    const now = Date.parse("2025-01-15T12:00:00Z");
    expect(relativeTime("2025-01-15T11:59:50Z", now)).toBe("just now");
    expect(relativeTime("2025-01-15T11:59:10Z", now)).toBe("1 min ago");
    expect(relativeTime("2025-01-15T11:57:00Z", now)).toBe("3 min ago");
    expect(relativeTime("2025-01-15T09:30:00Z", now)).toBe("2 h ago");
    expect(relativeTime("2025-01-12T12:00:00Z", now)).toBe("3 d ago");
    expect(relativeTime("2025-01-22T12:00:00Z", now)).toBe("in 7 d");
    expect(relativeTime("2025-01-15T13:00:00Z", now)).toBe("in 1 h");
    expect(relativeTime("not a date", now)).toBe("not a date");
    expect(relativeTime("2024-06-01T00:00:00Z", now)).not.toMatch(/ago/);
  });

  it("counts whole seconds to an instant and names durations", () => {
    const now = Date.parse("2025-01-15T12:00:00Z");
    expect(secondsUntil("2025-01-15T12:00:41.200Z", now)).toBe(42);
    expect(secondsUntil("2025-01-15T11:00:00Z", now)).toBe(0);
    expect(formatDuration(0)).toBe("none");
    expect(formatDuration(3600)).toBe("1 hour");
    expect(formatDuration(604800)).toBe("7 days");
    expect(formatDuration(90)).toBe("90 seconds");
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

  it("mentions revoked and expired keys on a 401", () => {
    expect(adviceFor(new BackendError("unauthorized", "revoked", 401)).hint).toMatch(/revoked or has expired/);
  });

  it("gives the wait of a 429 when it is known", () => {
    expect(adviceFor(new BackendError("rate_limited", "slow down", 429, null, [], 7)).hint).toMatch(/Retry in 7 s/);
    expect(adviceFor(new BackendError("rate_limited", "slow down", 429)).hint).toMatch(/Wait a few seconds/);
    const fromDetail = BackendError.from({
      code: "rate_limited",
      message: "slow down",
      status: 429,
      request_id: null,
      details: [{ field: "retry_after", issue: "3" }],
    });
    expect(fromDetail.retryAfter).toBe(3);
    const fromField = BackendError.from({
      code: "rate_limited",
      message: "slow down",
      status: 429,
      request_id: null,
      details: [],
      retry_after: 12,
    });
    expect(fromField.retryAfter).toBe(12);
  });

  it("has a hint for every code the console meets", () => {
    const codes: Code[] = [
      "not_found",
      "conflict",
      "validation_error",
      "environment_changed",
      "keychain_unavailable",
      "no_management_key",
      "invalid_input",
    ];
    const generic = adviceFor(new BackendError("internal", "boom")).hint;
    for (const code of codes) {
      expect(adviceFor(new BackendError(code, "x")).hint, code).not.toBe(generic);
    }
    expect(adviceFor(new BackendError("environment_changed", "x")).hint).toMatch(/environment changed/);
    expect(adviceFor(new BackendError("conflict", "x", 409)).hint).toMatch(/conflicts/);
    expect(
      adviceFor(new BackendError("validation_error", "x", 422, null, [{ field: "name", issue: "too long" }])).hint,
    ).toMatch(/each one is listed/);
  });
});
