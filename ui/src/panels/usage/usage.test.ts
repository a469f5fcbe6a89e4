import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { displayTimeZone, timeDisplay } from "../../lib/time.svelte";
import type { UsageChart } from "../../lib/bindings/UsageChart";
import { bucketLabel, bucketRequests, seriesAt } from "./usage";

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

describe("a click on a chart", () => {
  const filter = (status: string | null) => ({ key_id: null, endpoint: null, status, include_console: false });
  const chart = {
    plot: { left: 60, top: 0, right: 460, bottom: 100 },
    y_max: 100,
    buckets: [
      { start: "2026-11-30T10:00:00Z", end: "2026-11-30T11:00:00Z", x: 100, requests: 40 },
      { start: "2026-11-30T11:00:00Z", end: "2026-11-30T12:00:00Z", x: 300, requests: 0 },
    ],
    filter: filter(null),
    series: [
      { name: "4xx", detail: null, color: "#000", style: "area", values: [10, 0], filter: filter("4xx_other") },
      { name: "429", detail: null, color: "#111", style: "area", values: [30, 0], filter: filter("429") },
      { name: "5xx", detail: null, color: "#222", style: "area", values: [0, 0], filter: filter("5xx") },
    ],
  } as unknown as UsageChart;

  it("picks the band of the stack under the pointer", () => {
    expect(seriesAt(chart, 0, 95)?.name).toBe("4xx");
    expect(seriesAt(chart, 0, 70)?.name).toBe("429");
    // Above the stack, and in an empty bucket: no series.
    expect(seriesAt(chart, 0, 30)).toBeNull();
    expect(seriesAt(chart, 1, 95)).toBeNull();
  });

  it("picks a line near the pointer and nothing far from it", () => {
    const lines = {
      ...chart,
      series: [
        { ...chart.series[0], name: "p50", style: "line", values: [20, null] },
        { ...chart.series[1], name: "p95", style: "line", values: [60, null] },
      ],
    } as unknown as UsageChart;
    expect(seriesAt(lines, 0, 42)?.name).toBe("p95");
    expect(seriesAt(lines, 0, 78)?.name).toBe("p50");
    expect(seriesAt(lines, 0, 60)).toBeNull();
  });

  it("lists the series' requests in the bucket's period, or the whole bucket", () => {
    expect(bucketRequests(chart, 0, chart.series[1])).toEqual({
      ...filter("429"),
      from: "2026-11-30T10:00:00Z",
      to: "2026-11-30T11:00:00Z",
    });
    expect(bucketRequests(chart, 1, null)).toEqual({
      ...filter(null),
      from: "2026-11-30T11:00:00Z",
      to: "2026-11-30T12:00:00Z",
    });
  });
});
