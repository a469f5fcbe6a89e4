//! The two layers every request passes through.
//!
//! `request_context` (outermost) gives each request its id, makes sure every error body is
//! the platform's JSON (even axum's own 404/405), and puts rate-limit headers on every
//! response. `access` (per route) authenticates the key, applies the rate limits, checks
//! the route's scope, fires injected faults, and meters the request.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use botbat_api::{ErrorCode, KeyStatus};

use crate::error::{SandboxError, REQUEST_ID};
use crate::ids;
use crate::keys::{status_at, CachedKey};
use crate::limiter::{Verdict, WindowState};
use crate::meter::UsageRow;
use crate::state::{Access, AppState, Caller};

pub async fn request_context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let request_id = ids::request_id();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut response = REQUEST_ID
        .scope(request_id.clone(), async move {
            let response = next.run(req).await;
            let is_json = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            let status = response.status();
            if (status.is_client_error() || status.is_server_error()) && !is_json {
                let error = match status {
                    StatusCode::NOT_FOUND => SandboxError::new(
                        ErrorCode::NotFound,
                        format!("No endpoint {method} {path}. See GET /v1/openapi.json for every endpoint."),
                    ),
                    StatusCode::METHOD_NOT_ALLOWED => SandboxError::new(
                        ErrorCode::MethodNotAllowed,
                        format!("{path} does not accept {method}. See GET /v1/openapi.json."),
                    ),
                    StatusCode::PAYLOAD_TOO_LARGE => SandboxError::new(
                        ErrorCode::PayloadTooLarge,
                        "The body is larger than the limit.",
                    ),
                    s if s.is_server_error() => SandboxError::internal(format!("status {s}")),
                    _ => SandboxError::invalid(format!("The request was refused ({status}).")),
                };
                let mut replaced = error.into_response();
                if let Some(retry) = response.headers().get("retry-after") {
                    replaced.headers_mut().insert("retry-after", retry.clone());
                }
                return replaced;
            }
            response
        })
        .await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", value);
    }
    if !headers.contains_key("x-ratelimit-limit") {
        let (_, org) = state.limiter.peek(None);
        put_rate_limit_headers(headers, "org", org);
    }
    response
}

fn put_rate_limit_headers(headers: &mut HeaderMap, scope: &str, window: WindowState) {
    let pairs = [
        ("x-ratelimit-limit", window.limit.to_string()),
        ("x-ratelimit-remaining", window.remaining().to_string()),
        ("x-ratelimit-reset", window.reset.to_string()),
        ("x-ratelimit-scope", scope.to_string()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

/// Finds the key in `Authorization: Bearer …` or says exactly what is wrong with it.
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<CachedKey, SandboxError> {
    let Some(value) = headers.get("authorization") else {
        return Err(SandboxError::unauthorized(
            "No API key. Send it as `Authorization: Bearer bb_test_…`.",
        ));
    };
    let value = value.to_str().unwrap_or("");
    let Some(secret) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
    else {
        return Err(SandboxError::unauthorized(
            "Malformed Authorization header: expected `Bearer <API key>`.",
        ));
    };
    if !ids::is_key_shaped(secret) {
        return Err(SandboxError::unauthorized(
            "Malformed API key: keys look like `bb_test_` followed by 32 letters and digits.",
        ));
    }
    let Some(key) = state.keys.lookup(secret) else {
        return Err(SandboxError::unauthorized(
            "Unknown API key. It may belong to another environment, or have been mistyped.",
        ));
    };
    match status_at(key.revoked_at, key.expires_at, state.clock.now_ms()) {
        KeyStatus::Revoked => Err(SandboxError::unauthorized(format!(
            "The API key {} was revoked. Use another key.",
            key.id
        ))),
        KeyStatus::Expired => Err(SandboxError::unauthorized(format!(
            "The API key {} expired after rotation{}.",
            key.id,
            key.replaced_by
                .as_deref()
                .map(|r| format!("; use its replacement {r}"))
                .unwrap_or_default()
        ))),
        KeyStatus::Active | KeyStatus::Expiring => Ok(key),
    }
}

/// Emits `rate_limit.exceeded` for a key at most once a minute, off the request's path.
fn announce_rate_limit(state: &AppState, key_id: &str, data: serde_json::Value) {
    let now = state.clock.now_ms();
    {
        let mut last = state
            .rate_limit_events
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if last.get(key_id).is_some_and(|at| now - at < 60_000) {
            return;
        }
        last.insert(key_id.to_string(), now);
    }
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = crate::events::emit(&state, "rate_limit.exceeded", &data).await {
            tracing::warn!(%error.message, "rate_limit.exceeded not recorded");
        }
    });
}

pub async fn access(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if !state.access_control {
        return next.run(req).await;
    }
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let required = match state.routes.access(&method, &route) {
        // No rule: the path exists but not with this method, and the router answers 405.
        // Every routed handler has a rule, because routes are registered from the same
        // annotations the rules are read from.
        Some(Access::Public) | None => return next.run(req).await,
        Some(Access::AnyKey) => None,
        Some(Access::Scope(scope)) => Some(scope),
    };
    let key = match authenticate(&state, req.headers()) {
        Ok(key) => key,
        Err(error) => return error.into_response(),
    };
    let decision = state.limiter.check(&key.id);
    let mut response = match decision.verdict {
        Verdict::KeyLimited | Verdict::OrgLimited => {
            let message = if decision.verdict == Verdict::KeyLimited {
                format!(
                    "Rate limit exceeded: this key may make {} requests per second on the {} plan. Retry after {} s.",
                    decision.key.limit,
                    state.plan.as_str(),
                    decision.retry_after
                )
            } else {
                format!(
                    "Rate limit exceeded: the organisation may make {} requests per minute on the {} plan. Retry after {} s.",
                    decision.org.limit,
                    state.plan.as_str(),
                    decision.retry_after
                )
            };
            let (window, allowed, seconds) = if decision.verdict == Verdict::KeyLimited {
                ("per_key_per_second", decision.key.limit, 1)
            } else {
                ("per_org_per_minute", decision.org.limit, 60)
            };
            announce_rate_limit(
                &state,
                &key.id,
                serde_json::json!({
                    "key_id": key.id, "limit": window, "allowed": allowed,
                    "window_seconds": seconds, "retry_after": decision.retry_after,
                    "route": format!("{method} {route}"),
                }),
            );
            let mut error = SandboxError::new(ErrorCode::RateLimited, message);
            error.retry_after = Some(decision.retry_after);
            error.into_response()
        }
        Verdict::Allowed => match required {
            Some(scope) if !key.scopes.contains(&scope) => SandboxError::forbidden(format!(
                "This API key lacks the scope `{scope}`, which {method} {route} requires. Add it to the key or use a key that has it."
            ))
            .into_response(),
            _ => match state.take_fault(&method, &route) {
                Some(status) => {
                    let mut error = SandboxError::new(
                        ErrorCode::InternalError,
                        format!("Injected fault: the sandbox was asked to fail {method} {route} with {status}."),
                    );
                    error.status = Some(status);
                    error.into_response()
                }
                None => {
                    req.extensions_mut().insert(Caller {
                        key_id: key.id.clone(),
                        scopes: key.scopes.clone(),
                    });
                    next.run(req).await
                }
            },
        },
    };
    let (scope, window) = decision.reported();
    put_rate_limit_headers(response.headers_mut(), scope, window);
    state.meter.record(UsageRow {
        time_ms: state.clock.now_ms(),
        key_id: key.id,
        method: method.to_string(),
        route,
        status: response.status().as_u16(),
        latency_us: started.elapsed().as_micros() as i64,
        rate_limited: decision.verdict != Verdict::Allowed,
        retry_after: (decision.verdict != Verdict::Allowed).then_some(decision.retry_after),
        request_id: Some(crate::error::current_request_id()),
    });
    response
}
