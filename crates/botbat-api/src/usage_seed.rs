//! `POST /v1/sandbox/usage/seed`: realistic request history written straight into the
//! sandbox's request log, so usage charts have something to show and benchmarks have
//! something to chew on without sending millions of real requests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// The most days of history one seed request may cover.
pub const SEED_MAX_DAYS: u32 = 90;
/// The most requests one `POST /v1/sandbox/usage/seed` may write (the `seed-usage` command
/// of the sandbox binary has no such bound).
pub const SEED_MAX_REQUESTS: u32 = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SeedUsageRequest {
    /// How far back the history reaches, 1 to 90 days, ending now (on the sandbox clock).
    #[ts(type = "number")]
    #[serde(with = "crate::contract::whole::u32")]
    #[schema(minimum = 1, maximum = 90)]
    pub days: u32,
    /// How many requests to write, 1 to 100000.
    #[ts(type = "number")]
    #[serde(with = "crate::contract::whole::u32")]
    #[schema(minimum = 1, maximum = 100_000)]
    pub requests: u32,
}

/// What a seed wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SeedUsageReport {
    #[ts(type = "number")]
    pub requests: u64,
    pub days: u32,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The keys the traffic belongs to: the seeded integrations' keys (created on first
    /// use, named `… (seeded)`) and the keys that already existed.
    pub key_ids: Vec<String>,
    /// Responses with status 400 or above, 429s included.
    #[ts(type = "number")]
    pub errors: u64,
    #[ts(type = "number")]
    pub rate_limited: u64,
    /// Error spikes: windows where one endpoint answered mostly 5xx, slowly.
    pub incidents: u32,
    /// Bursts: seconds in which one key went over its per-second limit.
    pub bursts: u32,
}
