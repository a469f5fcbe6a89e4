//! Endpoints about the API itself and the caller: the OpenAPI document, scopes, the calling
//! key, and its rate limits.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use botbat_api::{LimitWindow, Me, Page, RateLimits, Scope, ScopeInfo};

use crate::clock::from_ms;
use crate::error::Result;
use crate::key_store::KeyRow;
use crate::limiter::WindowState;
use crate::rows::{self, Table};
use crate::state::{AppState, Caller};

/// The OpenAPI 3.1 document of every endpoint, with schemas and required scopes.
#[utoipa::path(
    get, path = "/v1/openapi.json", tag = "Developer",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")),
    security(())
)]
pub async fn openapi_json(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_json.clone(),
    )
}

/// Every scope, what it allows, and the endpoints it opens.
#[utoipa::path(
    get, path = "/v1/scopes", tag = "Developer",
    responses((status = 200, description = "All scopes", body = Page<ScopeInfo>)),
    security(("bearer_key" = []))
)]
pub async fn list_scopes(State(state): State<AppState>) -> Json<Page<ScopeInfo>> {
    let data: Vec<ScopeInfo> = Scope::ALL
        .into_iter()
        .map(|scope| ScopeInfo {
            scope,
            description: scope.description().to_string(),
            endpoints: state.routes.endpoints_for(scope),
        })
        .collect();
    Json(Page {
        total: data.len() as u64,
        data,
        cursor: None,
    })
}

/// The key making this request and its organisation: what a connection test needs.
#[utoipa::path(
    get, path = "/v1/me", tag = "Developer",
    responses((status = 200, description = "The calling key", body = Me)),
    security(("bearer_key" = []))
)]
pub async fn me(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Me>> {
    state.meter.flush().await;
    let row: KeyRow = rows::get(&state.db, Table::ApiKeys, &caller.key_id).await?;
    Ok(Json(Me {
        key: row.to_api(state.clock.now_ms()),
        organization: state.organization.clone(),
    }))
}

fn window(w: WindowState) -> LimitWindow {
    LimitWindow {
        limit: w.limit,
        window_seconds: w.window_seconds,
        used: w.used,
        remaining: w.remaining(),
        resets_at: from_ms(w.reset as i64 * 1000),
    }
}

/// The plan, both limits, and how much of each window is used right now.
#[utoipa::path(
    get, path = "/v1/rate_limits", tag = "Developer",
    responses((status = 200, description = "Limits and consumption", body = RateLimits)),
    security(("bearer_key" = []))
)]
pub async fn rate_limits(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Json<RateLimits> {
    let (key, org) = state.limiter.peek(Some(&caller.key_id));
    Json(RateLimits {
        plan: state.plan,
        key_id: caller.key_id,
        per_key: window(key),
        per_org: window(org),
    })
}
