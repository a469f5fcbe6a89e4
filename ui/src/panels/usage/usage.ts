// What the usage charts share: the ranges and filters a user picks, how a chart's values
// read in its hover layer, and the chart request the backend draws from.

import type { ChartSeries } from "../../lib/bindings/ChartSeries";
import type { ChartUnit } from "../../lib/bindings/ChartUnit";
import type { UsageChart } from "../../lib/bindings/UsageChart";
import type { UsageBreakdown } from "../../lib/bindings/UsageBreakdown";
import type { UsageChartKind } from "../../lib/bindings/UsageChartKind";
import type { UsageChartRequest } from "../../lib/bindings/UsageChartRequest";
import type { UsageRange } from "../../lib/bindings/UsageRange";
import { formatCount } from "../../lib/format";
import { formatDate, formatTime } from "../../lib/time.svelte";
import type { RequestsFilter } from "./requests";

export const RANGES: ReadonlyArray<{ value: UsageRange; label: string }> = [
  { value: "1h", label: "1 h" },
  { value: "24h", label: "24 h" },
  { value: "7d", label: "7 d" },
  { value: "30d", label: "30 d" },
  { value: "custom", label: "Custom" },
];

export const STATUS_FILTERS: ReadonlyArray<{ value: string; label: string }> = [
  { value: "", label: "All statuses" },
  { value: "2xx", label: "Success (2xx, 3xx)" },
  { value: "4xx", label: "Client errors (4xx)" },
  { value: "4xx_other", label: "Client errors but 429" },
  { value: "429", label: "Rate limited (429)" },
  { value: "5xx", label: "Server errors (5xx)" },
];

export const RETENTION_DAYS: readonly number[] = [7, 30, 90, 365];

/** The breakdowns a chart offers, the first being its default. */
export const BREAKDOWNS: Record<UsageChartKind, ReadonlyArray<{ value: UsageBreakdown; label: string }>> = {
  volume: [
    { value: "endpoint", label: "By endpoint" },
    { value: "key", label: "By key" },
  ],
  errors: [
    { value: "status_class", label: "By status class" },
    { value: "error_code", label: "By error code" },
  ],
  latency: [],
  rate_limits: [],
};

/** What a panel decides about a chart; the chart adds its size, theme and time zone. */
export type ChartQuery = Omit<UsageChartRequest, "width" | "height" | "theme" | "time_zone">;

export interface UsageFilters {
  range: UsageRange;
  from: string | null;
  to: string | null;
  keyId: string;
  endpoint: string;
  status: string;
}

export function defaultFilters(): UsageFilters {
  return { range: "24h", from: null, to: null, keyId: "", endpoint: "", status: "" };
}

export function chartQuery(
  chart: UsageChartKind,
  filters: UsageFilters,
  breakdown: UsageBreakdown | null,
  includeConsole = false,
): ChartQuery {
  return {
    include_console: includeConsole,
    chart,
    breakdown,
    range: filters.range,
    from: filters.range === "custom" ? filters.from : null,
    to: filters.range === "custom" ? filters.to : null,
    key_id: filters.keyId === "" ? null : filters.keyId,
    endpoint: filters.endpoint === "" ? null : filters.endpoint,
    status: filters.status === "" ? null : filters.status,
  };
}

export function formatValue(value: number | null, unit: ChartUnit): string {
  if (value === null || !Number.isFinite(value)) return "—";
  switch (unit) {
    case "count":
      return Number.isInteger(value) ? formatCount(value) : value.toFixed(1);
    case "percent":
      return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} %`;
    case "milliseconds":
      return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
  }
}

const DAY: Intl.DateTimeFormatOptions = { year: undefined, weekday: "short", day: "numeric", month: "short" };

/**
 * "Fri 20 Nov, 14:00 – 15:00": a bucket in the displayed zone (the chart was drawn in it),
 * from its start to its end (the next bucket's start: a day with a clock change is 23 or
 * 25 hours long).
 */
export function bucketLabel(startRfc3339: string, endRfc3339: string, bucketSeconds: number): string {
  const start = new Date(startRfc3339);
  if (Number.isNaN(start.getTime())) return startRfc3339;
  const end = new Date(endRfc3339);
  if (Number.isNaN(end.getTime())) return startRfc3339;
  const day = formatDate(start, DAY);
  if (bucketSeconds >= 86_400) {
    // The last day of a bucket: the day before the next bucket starts.
    const last = new Date(end.getTime() - 1);
    return bucketSeconds === 86_400 ? day : `${day} – ${formatDate(last, DAY)}`;
  }
  return `${day}, ${formatTime(start, { seconds: false, zone: false })} – ${formatTime(end, { seconds: false })}`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** `datetime-local` value (local time) -> RFC 3339, or null when empty or invalid. */
export function localInputToRfc3339(value: string): string | null {
  if (value.trim() === "") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** RFC 3339 -> `datetime-local` value in local time. */
export function rfc3339ToLocalInput(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The theme the document shows now: `light` or `dark`. */
export function documentTheme(): "light" | "dark" {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

/** How near (in the chart's pixels) a click must fall to a line or a marker to pick it. */
const PICK_PX = 10;

/**
 * The series drawn at height `y` (the chart's own pixels) in bucket `index`: the band of a
 * stack the point falls in, else the line or marker nearest to it; `null` between them.
 */
export function seriesAt(chart: UsageChart, index: number, y: number): ChartSeries | null {
  const { top, bottom } = chart.plot;
  if (bottom <= top || chart.y_max <= 0 || y < top - PICK_PX || y > bottom + PICK_PX) return null;
  const perPx = chart.y_max / (bottom - top);
  const value = (bottom - y) * perPx;
  let base = 0;
  for (const series of chart.series.filter((s) => s.style === "area")) {
    const height = Math.max(series.values[index] ?? 0, 0);
    if (height > 0 && value >= base && value <= base + height) return series;
    base += height;
  }
  let nearest: ChartSeries | null = null;
  let distance = PICK_PX;
  for (const series of chart.series) {
    const v = series.values[index];
    if (series.style === "area" || v === null || v === undefined || v <= 0) continue;
    // Markers sit along the top of the plot, whatever their value.
    const at = series.style === "markers" ? top + (bottom - top) * 0.035 : bottom - v / perPx;
    if (Math.abs(at - y) <= distance) {
      distance = Math.abs(at - y);
      nearest = series;
    }
  }
  return nearest;
}

/** What a click lists: the series' requests (or all the chart read) in bucket `index`. */
export function bucketRequests(chart: UsageChart, index: number, series: ChartSeries | null): RequestsFilter {
  const bucket = chart.buckets[index];
  return { ...(series ?? chart).filter, from: bucket.start, to: bucket.end };
}
