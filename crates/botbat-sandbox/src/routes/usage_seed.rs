//! `POST /v1/sandbox/usage/seed`: the Usage panel's "generate history" button. The
//! generator itself is [`crate::seed`]; this route bounds it so one click cannot hold the
//! sandbox's write lock for minutes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use botbat_api::{
    ErrorBody, FieldIssue, SeedUsageReport, SeedUsageRequest, SEED_MAX_DAYS, SEED_MAX_REQUESTS,
};

use crate::error::{ApiJson, Result, SandboxError};
use crate::seed::{self, SeedClaim, SeedOptions};
use crate::state::AppState;

/// Writes `requests` metered requests spread over the last `days` days (ending now on the
/// sandbox clock): daily and weekly rhythm, five integrations with their own keys and
/// endpoints, error spikes and 429 bursts. They are paged by `GET /v1/usage/requests` like
/// real traffic. The integrations' keys (`… (seeded)`) are created on first use.
#[utoipa::path(
    post, path = "/v1/sandbox/usage/seed", tag = "Sandbox",
    request_body(content = SeedUsageRequest, example = json!({"days": 30, "requests": 20000})),
    responses(
        (status = 201, description = "The history was written", body = SeedUsageReport),
        (status = 409, description = "conflict: a seed is already writing to this sandbox", body = ErrorBody),
        (status = 422, description = "validation_error: `days` must be 1 to 90 and `requests` 1 to 100000", body = ErrorBody),
    ),
    security(("bearer_key" = ["sandbox:manage"]))
)]
pub async fn seed_usage(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SeedUsageRequest>,
) -> Result<(StatusCode, Json<SeedUsageReport>)> {
    let mut issues = Vec::new();
    if !(1..=SEED_MAX_DAYS).contains(&body.days) {
        issues.push(FieldIssue::new(
            "days",
            format!("must be from 1 to {SEED_MAX_DAYS}"),
        ));
    }
    if !(1..=SEED_MAX_REQUESTS).contains(&body.requests) {
        issues.push(FieldIssue::new(
            "requests",
            format!(
                "must be from 1 to {SEED_MAX_REQUESTS}; for more, run `botbat-sandbox seed-usage` on the data dir"
            ),
        ));
    }
    if !issues.is_empty() {
        return Err(SandboxError::validation(issues));
    }
    let _claim = SeedClaim::try_claim(&state.db).ok_or_else(|| {
        SandboxError::conflict(
            "A seed is already writing to this sandbox; wait for it to finish and try again.",
        )
    })?;
    // Requests metered before the seed stay before it in the log.
    state.meter.flush().await;
    let report = seed::seed_usage(
        &state.db,
        Some(&state.keys),
        SeedOptions {
            days: body.days,
            requests: u64::from(body.requests),
            now_ms: state.clock.now_ms(),
            per_key_per_second: state.limiter.limits().per_key_per_second,
            rng_seed: rand::random(),
            live: state.live,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(report)))
}
