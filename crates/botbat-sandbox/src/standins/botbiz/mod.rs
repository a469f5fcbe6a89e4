//! The Botbiz stand-in: the documented API (`docs/002`) served from a SQLite file of its own.
//!
//! - Bearer keys (`bz_…`), stored as hashes; a `read` key gets 403 on every write.
//! - Errors as `{"error":{"code","message","status"}}` with the docs' codes.
//! - A per-key limit per minute by plan, announced on every authenticated answer in
//!   `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix seconds).
//! - WhatsApp accounts that stay `pending` until a sandbox control plays the QR scan.
//! - Incoming messages, played by a sandbox control, delivered to the webhook and signed
//!   in `X-Botbiz-Signature`.

mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Json;
use botbat_api::platforms::botbiz::{
    ErrorBody, ErrorCode, ErrorDetail, RATE_LIMIT_LIMIT, RATE_LIMIT_REMAINING, RATE_LIMIT_RESET,
};
use botbat_secrets::Sensitive;
use sqlx::SqlitePool;

use super::{credentials, RunningStandIn, Windows};
use crate::clock::Clock;
use crate::ids;

/// The stand-in's data file, beside BotBat's in a shared data dir.
pub const DB_FILE: &str = "botbiz.sqlite";
/// A key given to the stand-in at start, instead of a generated one.
pub const KEY_ENV: &str = "BOTBIZ_STANDIN_KEY";
pub const KEY_PREFIX: &str = "bz_";
/// The largest JSON body a request may carry.
pub const MAX_BODY: usize = 64 * 1024;

/// A Botbiz plan and its requests per key per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Free,
    Pro,
    /// Custom limits are agreed per customer.
    Enterprise(u32),
}

impl Plan {
    /// `free`, `pro` or `enterprise:<per minute>`.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        match text {
            "free" => Ok(Self::Free),
            "pro" => Ok(Self::Pro),
            _ => text
                .strip_prefix("enterprise:")
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| *n > 0)
                .map(Self::Enterprise)
                .ok_or_else(|| {
                    format!(
                        "unknown Botbiz plan {text:?}: use free (60 a minute), pro (300) or enterprise:<requests a minute>"
                    )
                }),
        }
    }

    pub fn per_minute(self) -> u32 {
        match self {
            Self::Free => 60,
            Self::Pro => 300,
            Self::Enterprise(n) => n,
        }
    }
}

pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub plan: Plan,
    /// The first key of an empty data dir; generated (and shown once) when `None`.
    pub key: Option<Sensitive<String>>,
}

/// A key's access: the docs' 403 is a key without permission for the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Full,
    Read,
}

impl Access {
    fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Read => "read",
        }
    }
}

/// Who is calling, found by the auth layer and read by the handlers.
#[derive(Debug, Clone)]
struct Caller {
    access: Access,
}

#[derive(Clone)]
struct StandIn(Arc<Shared>);

struct Shared {
    db: SqlitePool,
    clock: Clock,
    origin: String,
    per_minute: u32,
    windows: Windows,
    http: reqwest::Client,
}

impl std::ops::Deref for StandIn {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// A Botbiz error response.
#[derive(Debug)]
struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        tracing::warn!(%error, "botbiz stand-in storage error");
        Self::new(
            ErrorCode::ServerError,
            "Something went wrong on Botbiz's end: the stand-in could not read or write its data file.",
        )
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                status,
            },
        };
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(body)).into_response()
    }
}

type Result<T> = std::result::Result<T, Error>;

/// Opens the data dir, makes the first key if there is none, and serves.
pub async fn start(config: Config) -> anyhow::Result<RunningStandIn> {
    let db = crate::db::open_file(
        &config.data_dir,
        DB_FILE,
        &sqlx::migrate!("./migrations-botbiz"),
    )
    .await?;
    let clock = Clock::with_offset_ms(0);
    let mut generated = None;
    if credentials::count(&db).await? == 0 {
        let secret = match &config.key {
            Some(key) => {
                anyhow::ensure!(
                    is_key_shaped(key.expose()),
                    "{KEY_ENV} must look like {KEY_PREFIX} followed by 40 letters and digits"
                );
                key.expose().to_string()
            }
            None => {
                let secret = key_secret();
                generated = Some(Sensitive::new(secret.clone()));
                secret
            }
        };
        credentials::insert(
            &db,
            &secret,
            "Default key",
            Access::Full.as_str(),
            clock.now_ms(),
        )
        .await?;
    }
    // The socket is bound before the state exists, so the QR code URLs can name it.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    let state = StandIn(Arc::new(Shared {
        db,
        clock,
        origin: format!("http://{addr}"),
        per_minute: config.plan.per_minute(),
        windows: Windows::new(60),
        http: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .user_agent("Botbiz-Webhooks/1.0 (stand-in)")
            .build()?,
    }));
    let app = routes::router(state.clone())
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .merge(routes::public())
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state);
    super::serve_on(listener, "/v1", app, generated).await
}

fn key_secret() -> String {
    format!("{KEY_PREFIX}{}", ids::base62(40))
}

fn is_key_shaped(secret: &str) -> bool {
    secret
        .strip_prefix(KEY_PREFIX)
        .is_some_and(|r| r.len() == 40 && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

async fn not_found() -> Error {
    Error::new(
        ErrorCode::NotFound,
        "No such endpoint: see /v1/openapi.json for the documented ones.",
    )
}

/// Bearer auth, then the key's per-minute window. Every answer to a known key carries the
/// window's headers, the 429 included.
async fn authenticate(State(state): State<StandIn>, mut request: Request, next: Next) -> Response {
    let key = match bearer(request.headers()) {
        Some(key) => key,
        None => {
            return Error::new(
                ErrorCode::Unauthorized,
                "No valid API key provided: send it as `Authorization: Bearer <key>`.",
            )
            .into_response()
        }
    };
    let found = match credentials::find(&state.db, key).await {
        Ok(found) => found,
        Err(error) => return Error::from(error).into_response(),
    };
    let Some((key_id, access)) = found else {
        return Error::new(
            ErrorCode::Unauthorized,
            "No valid API key provided: this key is unknown or was deleted.",
        )
        .into_response();
    };
    let now_s = state.clock.now_ms().div_euclid(1000);
    let (used, reset) = state.windows.count(&key_id, now_s);
    let limit = state.per_minute;
    let mut response = if used > limit {
        let mut response = Error::new(
            ErrorCode::RateLimitExceeded,
            format!(
                "Too many requests: this key may make {limit} requests a minute. Retry after {} (X-RateLimit-Reset).",
                reset
            ),
        )
        .into_response();
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from((reset - now_s).max(1)),
        );
        response
    } else {
        request.extensions_mut().insert(Caller {
            access: if access == "read" {
                Access::Read
            } else {
                Access::Full
            },
        });
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(RATE_LIMIT_LIMIT, HeaderValue::from(limit));
    headers.insert(
        RATE_LIMIT_REMAINING,
        HeaderValue::from(limit.saturating_sub(used)),
    );
    headers.insert(RATE_LIMIT_RESET, HeaderValue::from(reset));
    response
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_parse_and_refuse_what_they_do_not_know() {
        assert_eq!(Plan::parse("free").map(Plan::per_minute), Ok(60));
        assert_eq!(Plan::parse("pro").map(Plan::per_minute), Ok(300));
        assert_eq!(
            Plan::parse("enterprise:1200").map(Plan::per_minute),
            Ok(1200)
        );
        for bad in ["Free", "enterprise", "enterprise:0", "starter", ""] {
            let error = Plan::parse(bad).expect_err("refused");
            assert!(error.contains("free (60 a minute)"), "{error}");
        }
    }

    #[test]
    fn a_generated_key_has_the_shape_the_stand_in_accepts() {
        let key = key_secret();
        assert!(is_key_shaped(&key), "{key}");
        assert!(!is_key_shaped("bz_short"));
        assert!(!is_key_shaped(&key.replacen("bz_", "bb_", 1)));
    }
}
