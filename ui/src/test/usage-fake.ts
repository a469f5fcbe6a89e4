// The Usage commands, in memory, installed on a FakeBackend through its per-command
// overrides. Charts are made from the request (range, key, breakdown) so a test can see
// a filter change reach the picture; syncs emit progress events like the Rust side and
// can be held open to observe a running sync.

import { emit } from "@tauri-apps/api/event";
import type { ChartSeries } from "../lib/bindings/ChartSeries";
import type { Environment } from "../lib/bindings/Environment";
import type { SeedUsageReport } from "../lib/bindings/SeedUsageReport";
import type { UsageChart } from "../lib/bindings/UsageChart";
import type { UsageChartRequest } from "../lib/bindings/UsageChartRequest";
import type { UsageExportFormat } from "../lib/bindings/UsageExportFormat";
import type { UsageOverview } from "../lib/bindings/UsageOverview";
import type { UsageSyncProgress } from "../lib/bindings/UsageSyncProgress";
import type { UsageSyncReport } from "../lib/bindings/UsageSyncReport";
import { type Args, commandError, type FakeBackend } from "./backend-fake";

const RANGE_BUCKETS: Record<string, { buckets: number; seconds: number; perBucket: number }> = {
  "1h": { buckets: 60, seconds: 60, perBucket: 2 },
  "24h": { buckets: 144, seconds: 600, perBucket: 20 },
  "7d": { buckets: 168, seconds: 3_600, perBucket: 120 },
  "30d": { buckets: 240, seconds: 10_800, perBucket: 360 },
  custom: { buckets: 72, seconds: 3_600, perBucket: 100 },
};

export const KEYS = [
  { key_id: "key_checkout1", label: "Checkout bot (seeded)" },
  { key_id: "key_crm2", label: "CRM sync (seeded)" },
];

export function overview(environment: Environment, overrides: Partial<UsageOverview> = {}): UsageOverview {
  return {
    environment,
    as_of: new Date(Date.now() - 5_000).toISOString(),
    last_error: null,
    syncing: null,
    rows_cached: 48_210,
    raw_rows: 40_000,
    retention_days: 30,
    oldest: "2025-10-20T00:00:00Z",
    newest: new Date().toISOString(),
    file_bytes: 5_400_000,
    limits: { plan: "starter", per_key_per_second: 5, per_org_per_minute: 300 },
    keys: environment === "sandbox" ? KEYS : [{ key_id: "key_live9", label: "Billing bridge" }],
    endpoints: ["GET /v1/contacts", "POST /v1/messages/send"],
    ...overrides,
  };
}

/** A chart the size and shape of the request: one key filter halves the traffic. */
export function chartFor(environment: Environment, request: UsageChartRequest): UsageChart {
  const shape = RANGE_BUCKETS[request.range] ?? RANGE_BUCKETS["24h"];
  const share = request.key_id ? 0.5 : 1;
  const perBucket = Math.round(shape.perBucket * share);
  const left = 60;
  const right = request.width - 20;
  const step = (right - left) / shape.buckets;
  const start = Date.parse("2025-11-20T00:00:00Z");
  const values = (scale: number) => Array.from({ length: shape.buckets }, (_, i) => perBucket * scale + (i % 3));
  const names =
    request.chart === "volume"
      ? request.breakdown === "key"
        ? KEYS.map((k) => k.label)
        : ["GET /v1/contacts", "POST /v1/messages/send"]
      : request.chart === "errors"
        ? ["4xx", "429 rate limited", "5xx"]
        : request.chart === "latency"
          ? ["p50", "p95", "p99"]
          : ["Busiest minute", "429 responses"];
  const style: ChartSeries["style"] =
    request.chart === "latency" ? "line" : request.chart === "rate_limits" ? "line" : "area";
  const series: ChartSeries[] = names.map((name, i) => ({
    name,
    detail: request.breakdown === "key" ? KEYS[i]?.key_id ?? null : null,
    color: ["#3b6fb6", "#f28e2b", "#4e9a45"][i % 3],
    style: request.chart === "rate_limits" && i === 1 ? "markers" : style,
    values: values(i + 1),
    filter: {
      key_id: request.breakdown === "key" ? (KEYS[i]?.key_id ?? null) : (request.key_id ?? null),
      endpoint: request.chart === "volume" && request.breakdown !== "key" ? name : (request.endpoint ?? null),
      status: request.chart === "errors" ? ["4xx_other", "429", "5xx"][i] : (request.status ?? null),
      include_console: request.chart === "rate_limits" || request.include_console === true,
    },
  }));
  const requests = series[0].values.reduce<number>((a, v) => a + (v ?? 0), 0);
  const title = {
    volume: request.breakdown === "key" ? "Requests by key" : "Requests by endpoint",
    errors: request.breakdown === "error_code" ? "Error rate by error code" : "Error rate by status class",
    latency: "Latency p50, p95 and p99",
    rate_limits: "Rate-limit consumption",
  }[request.chart];
  return {
    environment,
    chart: request.chart,
    title,
    svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${request.width}" height="${request.height}" viewBox="0 0 ${request.width} ${request.height}"><text>${title} ${request.range} ${request.key_id ?? "all"}</text></svg>`,
    width: request.width,
    height: request.height,
    plot: { left, top: 40, right, bottom: request.height - 40 },
    y_max: perBucket * 8,
    unit: request.chart === "errors" ? "percent" : request.chart === "latency" ? "milliseconds" : "count",
    bucket_seconds: shape.seconds,
    buckets: Array.from({ length: shape.buckets }, (_, i) => ({
      start: new Date(start + i * shape.seconds * 1000).toISOString(),
      end: new Date(start + (i + 1) * shape.seconds * 1000).toISOString(),
      x: left + step * (i + 0.5),
      requests: perBucket * 3 + i,
    })),
    series,
    filter: {
      key_id: request.key_id ?? null,
      endpoint: request.chart === "rate_limits" ? null : (request.endpoint ?? null),
      status: request.chart === "rate_limits" ? null : (request.status ?? null),
      include_console: request.chart === "rate_limits" || request.include_console === true,
    },
    from: new Date(start).toISOString(),
    to: new Date(start + shape.buckets * shape.seconds * 1000).toISOString(),
    totals: {
      requests,
      errors: Math.round(requests * 0.03),
      error_rate: 0.03,
      rate_limited: Math.round(requests * 0.01),
      p95_ms: 240,
    },
    limits: { plan: "starter", per_key_per_second: 5, per_org_per_minute: 300 },
    answered_from: shape.seconds >= 3_600 ? "hour rollups" : "minute rollups",
    rows_read: 1_234,
    elapsed_ms: 3.2,
    as_of: new Date(Date.now() - 5_000).toISOString(),
  };
}

export function progress(environment: Environment, overrides: Partial<UsageSyncProgress> = {}): UsageSyncProgress {
  return {
    environment,
    rows: 1_200,
    pages: 12,
    rows_per_second: 600,
    reached: "2025-11-12T14:00:00Z",
    remaining: 3_800,
    waited_ms: 0,
    done: false,
    error: null,
    ...overrides,
  };
}

export function emitSyncProgress(p: UsageSyncProgress): Promise<void> {
  return emit("usage-sync-progress", p);
}

export class UsageFake {
  overviews: Record<Environment, UsageOverview> = { sandbox: overview("sandbox"), production: overview("production") };
  /** When set, `usage_sync` waits for it; resolve with a report or reject with an error. */
  hold: Promise<UsageSyncReport> | null = null;
  syncError: unknown = null;
  seeded: SeedUsageReport | null = null;

  constructor(private readonly backend: FakeBackend) {}

  install(): this {
    const b = this.backend;
    b.on("usage_overview", () => ({ ...this.overviews[b.environment] }));
    b.on("usage_chart", (args: Args) => chartFor(b.environment, args.request as UsageChartRequest));
    b.on("usage_sync", (args: Args) => this.sync(args.environment as Environment));
    b.on("usage_cancel_sync", () => true);
    b.on("usage_export", (args: Args) => {
      const format = args.format as UsageExportFormat;
      return { format, path: `/home/dev/Downloads/botbat-sandbox-volume-by-endpoint-20251120-101500.${format}`, bytes: 20_480 };
    });
    b.on("usage_set_retention", (args: Args) => {
      const environment = args.environment as Environment;
      this.overviews[environment] = { ...this.overviews[environment], retention_days: args.days as number, raw_rows: 9_000 };
      return { ...this.overviews[environment] };
    });
    b.on("usage_seed", (args: Args) => {
      if (args.environment !== "sandbox") throw commandError("sandbox_only", "Sandbox only.");
      this.seeded = {
        requests: args.requests as number,
        days: args.days as number,
        from: "2025-10-21T10:00:00Z",
        to: "2025-11-20T10:00:00Z",
        key_ids: KEYS.map((k) => k.key_id),
        errors: 170,
        rate_limited: 75,
        incidents: 4,
        bursts: 12,
      };
      return this.seeded;
    });
    return this;
  }

  private async sync(environment: Environment): Promise<UsageSyncReport> {
    if (this.syncError) throw this.syncError;
    if (this.hold) return this.hold;
    await emitSyncProgress(progress(environment, { rows: 100, pages: 1 }));
    await emitSyncProgress(progress(environment, { rows: 200, pages: 2, done: true, remaining: 0 }));
    const asOf = new Date().toISOString();
    this.overviews[environment] = { ...this.overviews[environment], as_of: asOf };
    return { environment, rows: 200, pages: 2, seconds: 0.4, rows_per_second: 500, pruned: 0, as_of: asOf };
  }
}
