//! `/v1/usage`: metered requests and the summaries dashboards draw.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};

/// One metered request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct UsageRecord {
    /// Increases with every request: the sync watermark.
    #[ts(type = "number")]
    pub id: i64,
    pub time: DateTime<Utc>,
    pub key_id: String,
    pub method: String,
    /// The route template, e.g. `/v1/api_keys/{id}`.
    pub route: String,
    pub status: u16,
    pub latency_ms: f64,
    pub rate_limited: bool,
    /// The `Retry-After` a 429 carried.
    pub retry_after: Option<u32>,
    /// The `X-Request-Id` the request was answered with (absent from seeded history).
    #[serde(default)]
    pub request_id: Option<String>,
    /// Whether the console sent it for itself (its panels, polls and usage sync, identified
    /// by its `User-Agent`), rather than for its user: Try It, the CLI and integrations
    /// are the user's. Dashboards leave the console's own requests out by default.
    #[serde(default)]
    pub console: bool,
}

/// Filters of `GET /v1/usage/requests` and `GET /v1/usage/summary`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageQuery {
    /// RFC 3339; inclusive.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339; exclusive.
    pub to: Option<DateTime<Utc>>,
    pub key_id: Option<String>,
    /// Only requests that were (`true`) or were not (`false`) rate limited.
    pub rate_limited: Option<bool>,
    /// Only the console's own requests (`true`) or only everyone else's (`false`).
    pub console: Option<bool>,
    /// `asc` (oldest first, the default: for incremental sync) or `desc` (newest first).
    pub order: Option<UsageOrder>,
}

/// The order of `GET /v1/usage/requests`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UsageOrder {
    /// Oldest first.
    #[default]
    Asc,
    /// Newest first.
    Desc,
}

/// Counts over a time range, for dashboards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct UsageSummary {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    #[ts(type = "number")]
    pub requests: u64,
    /// Responses with status 400 or above, 429s included.
    #[ts(type = "number")]
    pub errors: u64,
    #[ts(type = "number")]
    pub rate_limited: u64,
    /// `errors / requests`, 0 when there were none.
    pub error_rate: f64,
}
