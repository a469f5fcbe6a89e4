import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { displayTimeZone, timeDisplay } from "../../lib/time.svelte";
import { bucketLabel } from "./usage";

// Buckets are built from local dates, so these hold in whichever zone the tests run in;
// in one with a clock change on 29 March the week is 167 hours and the bucket 2 hours.
describe("bucket labels", () => {
  beforeEach(() => {
    timeDisplay.locale = "en-GB";
  });

  afterEach(() => {
    timeDisplay.locale = undefined;
  });

  it("name a bucket from its start to its end, not from a fixed width", () => {
    const week = bucketLabel(new Date(2026, 2, 23).toISOString(), new Date(2026, 2, 30).toISOString(), 604_800);
    expect(week).toBe("Mon 23 Mar – Sun 29 Mar");
    const day = bucketLabel(new Date(2026, 2, 29).toISOString(), new Date(2026, 2, 30).toISOString(), 86_400);
    expect(day).toBe("Sun 29 Mar");
    const hours = bucketLabel(new Date(2026, 2, 29, 0).toISOString(), new Date(2026, 2, 29, 3).toISOString(), 10_800);
    expect(hours).toBe("Sun 29 Mar, 00:00 – 03:00");
  });

  it("send the zone by its IANA name", () => {
    expect(displayTimeZone()).toMatch(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/);
  });
});
