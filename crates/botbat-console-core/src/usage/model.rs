//! What the Usage panel and the Dashboard's chart send and receive. The TypeScript twins in
//! `ui/src/lib/bindings` are generated from these.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Environment;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UsageChartKind {
    /// Requests per bucket, stacked by endpoint or key.
    Volume,
    /// Error rate, stacked by status class or error code.
    Errors,
    /// p50, p95 and p99 latency.
    Latency,
    /// The busiest minute against the plan's limit, with 429s marked.
    RateLimits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UsageBreakdown {
    Endpoint,
    Key,
    StatusClass,
    ErrorCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum UsageRange {
    #[serde(rename = "1h")]
    LastHour,
    #[serde(rename = "24h")]
    LastDay,
    #[serde(rename = "7d")]
    LastWeek,
    #[serde(rename = "30d")]
    LastMonth,
    /// `from` and `to` of the request.
    #[serde(rename = "custom")]
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChartTheme {
    Light,
    Dark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UsageExportFormat {
    Svg,
    Png,
    Csv,
}

/// A window of the request log, as the Requests view asks for it: the filters, then which
/// rows (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageLogRequest {
    pub key_id: Option<String>,
    /// `GET /v1/contacts`.
    pub endpoint: Option<String>,
    /// `2xx`, `4xx`, `429`, `5xx`, or one status code such as `404`.
    pub status: Option<String>,
    /// RFC 3339; inclusive.
    pub from: Option<String>,
    /// RFC 3339; exclusive.
    pub to: Option<String>,
    /// A `req_…` id, matched exactly.
    pub request_id: Option<String>,
    /// Lists the console's own requests too; left out by default.
    #[serde(default)]
    #[ts(optional)]
    pub include_console: Option<bool>,
    /// The first row wanted, 0 being the newest.
    pub offset: u32,
    /// Rows wanted, 1 to 1,000.
    pub limit: u32,
}

/// One request of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageLogRow {
    /// The platform's id of the log row.
    #[ts(type = "number")]
    pub id: i64,
    /// RFC 3339.
    pub time: String,
    pub key_id: String,
    pub key_name: Option<String>,
    pub method: String,
    pub route: String,
    pub status: u16,
    pub latency_ms: f64,
    pub retry_after: Option<u32>,
    pub request_id: Option<String>,
    /// The console sent it for itself.
    pub console: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageLogPage {
    pub environment: Environment,
    /// Requests matching the filters in all: the length of the list.
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<UsageLogRow>,
}

/// One chart: what to show, over which range, filtered how, drawn how large.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageChartRequest {
    pub chart: UsageChartKind,
    /// Volume: `endpoint` (default) or `key`; errors: `status_class` (default) or
    /// `error_code`; ignored by the others.
    pub breakdown: Option<UsageBreakdown>,
    pub range: UsageRange,
    /// RFC 3339, for a custom range.
    pub from: Option<String>,
    pub to: Option<String>,
    pub key_id: Option<String>,
    /// `GET /v1/contacts`.
    pub endpoint: Option<String>,
    /// `2xx`, `4xx`, `429` or `5xx`.
    pub status: Option<String>,
    /// Counts the console's own requests too (its polls and syncs); left out by default.
    #[serde(default)]
    #[ts(optional)]
    pub include_console: Option<bool>,
    /// Pixels the chart will occupy (CSS pixels).
    pub width: u32,
    pub height: u32,
    pub theme: ChartTheme,
    /// The viewer's IANA time zone, e.g. `Europe/Berlin` (JavaScript's
    /// `Intl.DateTimeFormat().resolvedOptions().timeZone`): days start at its local
    /// midnights and labels show its local time.
    pub time_zone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct ChartPlotArea {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChartSeriesStyle {
    Area,
    Line,
    Markers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChartUnit {
    Count,
    Percent,
    Milliseconds,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ChartSeries {
    pub name: String,
    /// A key's id when the name is the key's name.
    pub detail: Option<String>,
    /// `#rrggbb`, as drawn.
    pub color: String,
    pub style: ChartSeriesStyle,
    pub values: Vec<Option<f64>>,
    /// The requests the series stands for: with a bucket's `start` and `end` as `from` and
    /// `to`, the Requests view lists what the series counted in that bucket.
    pub filter: ChartSeriesFilter,
}

/// A series' requests as the Requests view filters them (the fields of
/// [`UsageLogRequest`] of the same names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ChartSeriesFilter {
    pub key_id: Option<String>,
    /// `GET /v1/contacts`.
    pub endpoint: Option<String>,
    /// A class (`2xx`, `4xx`, `4xx_other`, `429`, `5xx`) or one status code.
    pub status: Option<String>,
    pub include_console: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ChartBucket {
    /// RFC 3339 (UTC).
    pub start: String,
    /// RFC 3339 (UTC): the next bucket's start. A day with a clock change is 23 or 25
    /// hours long.
    pub end: String,
    /// The x pixel of the bucket's middle in the SVG.
    pub x: f64,
    /// Requests in the bucket (with the filters).
    #[ts(type = "number")]
    pub requests: u64,
}

/// Totals over the chart's range (with its filters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageTotals {
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub errors: u64,
    /// 0 to 1.
    pub error_rate: f64,
    #[ts(type = "number")]
    pub rate_limited: u64,
    pub p95_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsagePlanLimits {
    pub plan: String,
    pub per_key_per_second: u32,
    pub per_org_per_minute: u32,
}

/// A drawn chart with the data behind it, for the hover layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageChart {
    pub environment: Environment,
    pub chart: UsageChartKind,
    pub title: String,
    pub svg: String,
    pub width: u32,
    pub height: u32,
    pub plot: ChartPlotArea,
    /// The value at the top of the plot, in the chart's unit: where a click falls in a stack.
    pub y_max: f64,
    pub unit: ChartUnit,
    pub bucket_seconds: u32,
    pub buckets: Vec<ChartBucket>,
    pub series: Vec<ChartSeries>,
    /// The requests the chart read: what a bucket lists outside any series.
    pub filter: ChartSeriesFilter,
    /// RFC 3339: the range after widening to whole buckets.
    pub from: String,
    pub to: String,
    pub totals: UsageTotals,
    pub limits: Option<UsagePlanLimits>,
    /// `hour rollups`, `minute rollups`, …
    pub answered_from: String,
    #[ts(type = "number")]
    pub rows_read: u64,
    /// Time to answer and draw, in milliseconds.
    pub elapsed_ms: f64,
    /// The end of the last completed sync: what "as of" the chart is.
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageSyncProgress {
    pub environment: Environment,
    /// Rows stored by this sync so far; on the last report of a stopped sync, exactly
    /// the rows it left in the cache.
    #[ts(type = "number")]
    pub rows: u64,
    pub pages: u32,
    pub rows_per_second: f64,
    /// RFC 3339: the newest request stored so far.
    pub reached: Option<String>,
    #[ts(type = "number")]
    pub remaining: Option<u64>,
    #[ts(type = "number")]
    pub waited_ms: u64,
    pub done: bool,
    /// Set on the last report of a sync that failed or was stopped.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageSyncReport {
    pub environment: Environment,
    #[ts(type = "number")]
    pub rows: u64,
    pub pages: u32,
    pub seconds: f64,
    pub rows_per_second: f64,
    #[ts(type = "number")]
    pub pruned: u64,
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageKeyOption {
    pub key_id: String,
    /// The key's name, or its id when the platform did not say.
    pub label: String,
}

/// The cache of one environment: how fresh, how big, what it can be filtered by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageOverview {
    pub environment: Environment,
    /// RFC 3339: the end of the last completed sync.
    pub as_of: Option<String>,
    pub last_error: Option<String>,
    /// Present while a sync runs.
    pub syncing: Option<UsageSyncProgress>,
    #[ts(type = "number")]
    pub rows_cached: u64,
    #[ts(type = "number")]
    pub raw_rows: u64,
    pub retention_days: u32,
    pub oldest: Option<String>,
    pub newest: Option<String>,
    #[ts(type = "number")]
    pub file_bytes: u64,
    pub limits: Option<UsagePlanLimits>,
    pub keys: Vec<UsageKeyOption>,
    pub endpoints: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageExport {
    pub format: UsageExportFormat,
    /// Where the file was written.
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
}
