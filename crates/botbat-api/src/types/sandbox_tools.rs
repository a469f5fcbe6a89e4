//! `/v1/sandbox`: injected faults and the sandbox clock, for testing retries and expiry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::contract;

/// `POST /v1/sandbox/faults`: make the next matching requests fail, to test retry logic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FaultRequest {
    /// HTTP method to match: GET, POST, PUT, PATCH or DELETE.
    #[schema(schema_with = fault_method_schema)]
    pub method: String,
    /// Route template to match, e.g. `/v1/me`.
    pub path: String,
    /// The status to answer with: 500, 502, 503 or 504.
    #[ts(type = "number")]
    #[serde(with = "contract::whole::u16")]
    #[schema(schema_with = fault_status_schema)]
    pub status: u16,
    /// How many matching requests fail, 1 to 100.
    #[ts(type = "number")]
    #[serde(with = "contract::whole::u32")]
    #[schema(minimum = 1, maximum = 100)]
    pub count: u32,
    /// When the request fails: `reject` (default) before it runs, `after_commit` after it
    /// ran and its changes were saved.
    #[serde(default)]
    pub mode: FaultMode,
}

/// How an injected fault fails a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum FaultMode {
    /// The request is answered with the fault's status and never runs: nothing changes.
    #[default]
    Reject,
    /// The request runs and its changes are saved, then the response is lost: the client
    /// gets the fault's status instead, as after a timeout or a proxy failure on the way
    /// back. A retry with the same `Idempotency-Key` gets the saved response.
    AfterCommit,
}

/// The methods a fault can match.
pub const FAULT_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn fault_method_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(FAULT_METHODS))
        .description(Some(
            "The HTTP method to match: GET, POST, PUT, PATCH or DELETE.",
        ))
        .build()
}

/// The statuses a fault can answer with, the only ones the sandbox accepts.
pub const FAULT_STATUSES: [u16; 4] = [500, 502, 503, 504];

fn fault_status_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some(FAULT_STATUSES))
        .description(Some("The status to answer with: 500, 502, 503 or 504."))
        .build()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Fault {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub remaining: u32,
    pub mode: FaultMode,
}

/// The sandbox's clock, which can be moved forward to test expiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SandboxClock {
    pub now: DateTime<Utc>,
    #[ts(type = "number")]
    pub offset_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct AdvanceClockRequest {
    /// Seconds to move the sandbox clock forward, 1 to 31536000.
    #[ts(type = "number")]
    #[serde(with = "contract::whole::i64")]
    #[schema(minimum = 1, maximum = 31_536_000)]
    pub seconds: i64,
}
