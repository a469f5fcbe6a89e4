//! `/v1/sandbox/…`: controls that exist only in the sandbox, for testing what is hard to
//! produce on demand: a clock to move past expiry times, and injected server failures to
//! exercise retry logic (see `crate::faults` for where they fire). They change the sandbox
//! for every key, so each needs `sandbox:manage`, and the list of armed faults is bounded.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use botbat_api::{AdvanceClockRequest, ErrorBody, Fault, FaultRequest, FieldIssue, SandboxClock};

use crate::db;
use crate::error::{ApiJson, Result, SandboxError};
use crate::faults::MAX_ARMED;
use crate::rules;
use crate::state::{Access, AppState};

fn clock(state: &AppState) -> SandboxClock {
    SandboxClock {
        now: state.clock.now(),
        offset_seconds: state.clock.offset_ms() / 1000,
    }
}

/// The sandbox's current time and how far it was moved ahead of the wall clock.
#[utoipa::path(
    get, path = "/v1/sandbox/clock", tag = "Sandbox",
    responses((status = 200, description = "The sandbox clock", body = SandboxClock)),
    security(("bearer_key" = ["sandbox:manage"]))
)]
pub async fn get_clock(State(state): State<AppState>) -> Json<SandboxClock> {
    Json(clock(&state))
}

/// Moves the sandbox clock forward, e.g. past a rotated key's grace period.
#[utoipa::path(
    post, path = "/v1/sandbox/clock", tag = "Sandbox",
    request_body(content = AdvanceClockRequest, example = json!({"seconds": 3601})),
    responses((status = 200, description = "The moved clock", body = SandboxClock)),
    security(("bearer_key" = ["sandbox:manage"]))
)]
pub async fn advance_clock(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AdvanceClockRequest>,
) -> Result<Json<SandboxClock>> {
    if !(1..=31_536_000).contains(&body.seconds) {
        return Err(SandboxError::field(
            "seconds",
            "must be from 1 to 31536000 (one year); the clock only moves forward",
        ));
    }
    let offset = state.clock.advance_ms(body.seconds * 1000);
    db::set_meta(&state.db, db::CLOCK_OFFSET, &offset.to_string()).await?;
    // Deliveries and scheduled work may have fallen due: the dispatcher and the scheduler
    // sleep until their next one by the old time.
    state.bus.dispatch.notify_one();
    state.bus.scheduler.notify_one();
    Ok(Json(clock(&state)))
}

/// Failures armed and not yet fired.
#[utoipa::path(
    get, path = "/v1/sandbox/faults", tag = "Sandbox",
    responses((status = 200, description = "Armed faults", body = Vec<Fault>)),
    security(("bearer_key" = ["sandbox:manage"]))
)]
pub async fn list_faults(State(state): State<AppState>) -> Json<Vec<Fault>> {
    Json(state.faults.list())
}

/// Makes the next `count` requests to a route fail with a 5xx: before they run (`reject`,
/// the default) or after they ran and saved their changes (`after_commit`, a lost response).
#[utoipa::path(
    post, path = "/v1/sandbox/faults", tag = "Sandbox",
    request_body(content = FaultRequest, example = json!({"method": "POST", "path": "/v1/contacts", "status": 503, "count": 1, "mode": "after_commit"})),
    responses(
        (status = 201, description = "The armed fault", body = Fault),
        (status = 409, description = "conflict: 50 faults are armed already; let them fire or clear them with `DELETE /v1/sandbox/faults`", body = ErrorBody),
    ),
    security(("bearer_key" = ["sandbox:manage"])),
    extensions(("x-runtime-rules" = json!([rules::FAULT_ROUTE])))
)]
pub async fn add_fault(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<FaultRequest>,
) -> Result<(StatusCode, Json<Fault>)> {
    let mut issues = Vec::new();
    let method = body.method;
    if !botbat_api::FAULT_METHODS.contains(&method.as_str()) {
        issues.push(FieldIssue::new(
            "method",
            "must be GET, POST, PUT, PATCH or DELETE",
        ));
    }
    // Faults fire only on authenticated requests, so one armed on a public route would
    // never fire and never leave the list.
    let authenticated = axum::http::Method::from_bytes(method.as_bytes())
        .ok()
        .and_then(|m| state.routes.access(&m, &body.path))
        .is_some_and(|access| access != Access::Public);
    if !authenticated {
        issues.push(rules::FAULT_ROUTE.detail_with(format!("{method} {}", body.path)));
    }
    if !botbat_api::FAULT_STATUSES.contains(&body.status) {
        issues.push(FieldIssue::new("status", "must be 500, 502, 503 or 504"));
    }
    if !(1..=100).contains(&body.count) {
        issues.push(FieldIssue::new("count", "must be from 1 to 100"));
    }
    if !issues.is_empty() {
        return Err(SandboxError::validation(issues));
    }
    let fault = Fault {
        method,
        path: body.path,
        status: body.status,
        remaining: body.count,
        mode: body.mode,
    };
    state.faults.arm(fault.clone()).map_err(|armed| {
        SandboxError::conflict(format!(
            "{armed} faults are armed, the most the sandbox holds ({MAX_ARMED}). Let some fire, or clear them all with DELETE /v1/sandbox/faults."
        ))
    })?;
    Ok((StatusCode::CREATED, Json(fault)))
}

/// Disarms every fault.
#[utoipa::path(
    delete, path = "/v1/sandbox/faults", tag = "Sandbox",
    responses((status = 204, description = "Cleared")),
    security(("bearer_key" = ["sandbox:manage"]))
)]
pub async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}
