//! The two layers every request passes through, and the start-up check that the second
//! one has a rule for everything the router serves.
//!
//! `request_context` (outermost) gives each request its id, makes sure every error body is
//! the platform's JSON (even axum's own 404/405), and puts rate-limit headers on every
//! response. `access` (per route) authenticates the key, applies the rate limits, checks
//! the route's scope, and meters the request; the layers inside it fire injected faults
//! (`faults`) and keep idempotency records (`idempotency`). Access fails closed: a route
//! without a rule is refused at start-up by [`check_routes`], and should one slip past it,
//! refused again at request time without running its handler.

use std::collections::HashSet;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use botbat_api::{ErrorCode, KeyStatus};
use tower::ServiceExt;

use crate::error::{SandboxError, REQUEST_ID};
use crate::ids;
use crate::key_store::{status_at, CachedKey};
use crate::limiter::{Verdict, WindowState};
use crate::meter::UsageRow;
use crate::state::{Access, AppState, Caller, RouteTable};

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
    let prefix = ids::key_prefix(state.live);
    let Some(value) = headers.get("authorization") else {
        return Err(SandboxError::unauthorized(format!(
            "No API key. Send it as `Authorization: Bearer {prefix}…`."
        )));
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
        return Err(SandboxError::unauthorized(format!(
            "Malformed API key: keys look like `{prefix}` followed by 32 letters and digits."
        )));
    }
    // A data dir can be served in both modes, so a key of the other mode may still be on file.
    if !secret.starts_with(prefix) {
        return Err(SandboxError::unauthorized(if state.live {
            "This is a sandbox key (`bb_test_…`), and this server is the live stand-in (`--live`), which accepts only `bb_live_` keys. Use a key created in live mode."
        } else {
            "This is a live key (`bb_live_…`), and this is the sandbox, which accepts only `bb_test_` keys. Use a sandbox key, and keep live keys away from test setups."
        }));
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
        if let Err(error) = crate::event_log::emit(&state, "rate_limit.exceeded", &data).await {
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
    let console = req
        .headers()
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(botbat_api::is_console_user_agent);
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let required = match state.routes.access(&method, &route) {
        Some(Access::Public) => return next.run(req).await,
        Some(Access::AnyKey) => None,
        Some(Access::Scope(scope)) => Some(scope),
        // `check_routes` refuses to start with such a route; this is the second lock.
        None => {
            return SandboxError::internal(format!(
                "{method} {route} is served without an access rule; refused"
            ))
            .into_response()
        }
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
            _ => {
                req.extensions_mut().insert(Caller {
                    key_id: key.id.clone(),
                    scopes: key.scopes.clone(),
                });
                next.run(req).await
            }
        },
    };
    let (scope, window) = decision.reported();
    put_rate_limit_headers(response.headers_mut(), scope, window);
    state
        .meter
        .record(UsageRow {
            time_ms: state.clock.now_ms(),
            key_id: key.id,
            method: method.to_string(),
            route,
            status: response.status().as_u16(),
            latency_us: started.elapsed().as_micros() as i64,
            rate_limited: decision.verdict != Verdict::Allowed,
            retry_after: (decision.verdict != Verdict::Allowed).then_some(decision.retry_after),
            request_id: Some(crate::error::current_request_id()),
            console,
        })
        .await;
    response
}

/// The answer for a served path and a method it does not serve. Installed after the route
/// layers (axum's `route_layer` also wraps this answer), so that `access` and
/// [`answer_route`] only ever see requests a handler serves.
pub async fn method_not_allowed() -> StatusCode {
    StatusCode::METHOD_NOT_ALLOWED
}

/// Which route the probe router matched, left in the response by [`answer_route`].
#[derive(Clone)]
struct ServedRoute(String);

/// Stands in for every handler during [`check_routes`]: reports the matched route and runs
/// nothing.
async fn answer_route(req: Request, _next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.extensions_mut().insert(ServedRoute(route));
    response
}

const PROBE_METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
    Method::TRACE,
    Method::CONNECT,
];

/// Before the first request: sends every method to every documented path through the
/// router, with each handler replaced by [`answer_route`], and fails when the router serves
/// a (method, route) that has no rule, or a rule's route is not served as documented. The
/// error names the handlers involved. A path the document does not have at all cannot be
/// found this way (axum does not list its routes); the v1 router registers every route
/// through `routes!`, and `access` refuses anything else at request time.
pub async fn check_routes<S>(router: &Router<S>, state: S, table: &RouteTable) -> anyhow::Result<()>
where
    S: Clone + Send + Sync + 'static,
{
    let probe = router
        .clone()
        .route_layer(middleware::from_fn(answer_route))
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    let mut served = HashSet::new();
    let mut problems = Vec::new();
    for path in table.paths() {
        let uri = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "probe"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in PROBE_METHODS {
            let request = Request::builder()
                .method(method.clone())
                .uri(&uri)
                .body(Body::empty())?;
            let response = probe.clone().oneshot(request).await?;
            let Some(ServedRoute(route)) = response.extensions().get::<ServedRoute>().cloned()
            else {
                continue;
            };
            if table.access(&method, &route).is_none() {
                problems.push(format!(
                    "{method} {route} is served but has no OpenAPI operation, so no access rule (documented handlers on this path: {}). Register it with `routes!` and a `#[utoipa::path]` that declares `security(...)`.",
                    table.handlers_at(&route).join(", ")
                ));
            }
            served.insert((method, route));
        }
    }
    for (method, path, handler) in table.rules() {
        if !served.contains(&(method.clone(), path.to_string())) {
            problems.push(format!(
                "handler `{handler}` documents {method} {path}, but the router does not serve it there"
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort();
    anyhow::bail!(
        "the sandbox will not start: its routes and access rules disagree:\n  {}",
        problems.join("\n  ")
    )
}
