//! The organisation, its plan and its rate limits: `GET /v1/me` and `GET /v1/rate_limits`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use super::*;

/// The organisation's plan, which sets its rate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    Starter,
    Professional,
    Enterprise,
}

impl Plan {
    pub const ALL: [Plan; 3] = [Plan::Starter, Plan::Professional, Plan::Enterprise];

    /// Requests per second allowed to one key.
    pub fn per_key_per_second(self) -> u32 {
        match self {
            Plan::Starter => 5,
            Plan::Professional => 20,
            Plan::Enterprise => 50,
        }
    }

    /// Requests per minute allowed to the whole organisation.
    pub fn per_org_per_minute(self) -> u32 {
        match self {
            Plan::Starter => 300,
            Plan::Professional => 1_200,
            Plan::Enterprise => 5_000,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Starter => "starter",
            Plan::Professional => "professional",
            Plan::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Plan> {
        Plan::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// One rate-limit window and how much of it is used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct LimitWindow {
    pub limit: u32,
    pub window_seconds: u32,
    pub used: u32,
    pub remaining: u32,
    pub resets_at: DateTime<Utc>,
}

/// `GET /v1/rate_limits`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RateLimits {
    pub plan: Plan,
    /// The key that made this request; `per_key` is its window.
    pub key_id: String,
    pub per_key: LimitWindow,
    pub per_org: LimitWindow,
}

/// The organisation the calling key belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub plan: Plan,
    /// `false` in the sandbox.
    pub livemode: bool,
}

/// `GET /v1/me`: who is calling, for connection tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Me {
    pub key: ApiKey,
    pub organization: Organization,
}
