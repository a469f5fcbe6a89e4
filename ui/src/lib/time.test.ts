import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { displayTimeZone, formatDate, formatDateTime, formatTime, setUtcTimes, timeDisplay, timeTitle } from "./time.svelte";

// 13:09:41.042 UTC on 29 November 2026 is 14:09:41 in Berlin (CET, UTC+1).
const INSTANT = "2026-11-29T13:09:41.042Z";
const ZONE = "Europe/Berlin";

describe("the time formatter", () => {
  beforeEach(() => {
    vi.stubEnv("TZ", ZONE);
    timeDisplay.locale = "en-GB";
    setUtcTimes(false);
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    timeDisplay.locale = undefined;
    setUtcTimes(false);
  });

  it("shows local time in the user's zone and locale", () => {
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe(ZONE);
    expect(formatTime(INSTANT)).toBe("14:09:41");
    expect(formatTime(INSTANT, { seconds: false })).toBe("14:09");
    expect(formatTime(INSTANT, { millis: true })).toBe("14:09:41.042");
    expect(formatDateTime(INSTANT)).toBe("29 Nov 2026, 14:09:41 CET");
    expect(formatDate(INSTANT)).toBe("29 Nov 2026");
    expect(displayTimeZone()).toBe(ZONE);
  });

  it("follows the locale: 12-hour clocks where the locale uses them", () => {
    timeDisplay.locale = "en-US";
    expect(formatTime(INSTANT)).toBe("02:09:41 PM");
  });

  it("gives the UTC time on hover while times are local", () => {
    expect(timeTitle(INSTANT)).toBe("29 Nov 2026, 13:09:41 UTC");
  });

  it("shows every time in UTC when the setting is on, and the local time on hover", () => {
    setUtcTimes(true);
    expect(formatTime(INSTANT)).toBe("13:09:41 UTC");
    expect(formatTime(INSTANT, { seconds: false, zone: false })).toBe("13:09");
    expect(formatDateTime(INSTANT)).toBe("29 Nov 2026, 13:09:41 UTC");
    expect(formatDate("2026-11-29T23:30:00Z")).toBe("29 Nov 2026");
    expect(displayTimeZone()).toBe("UTC");
    expect(timeTitle(INSTANT)).toBe("29 Nov 2026, 14:09:41 CET");
  });

  it("a date near midnight falls on the day of the displayed zone", () => {
    // 23:30 UTC is already 00:30 on the next day in Berlin.
    expect(formatDate("2026-11-29T23:30:00Z")).toBe("30 Nov 2026");
  });

  it("returns what it was given when that is not an instant", () => {
    expect(formatTime("not a time")).toBe("not a time");
    expect(timeTitle("")).toBe("");
  });
});
