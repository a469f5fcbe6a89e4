//! The Botmaker stand-in: the messaging API of `docs/003` served from a SQLite file of its
//! own.
//!
//! - The `access-token` header, stored as a hash.
//! - `GET /channels`, and `POST /chats-actions/send-messages` with its texts, button menus,
//!   media, locations and contacts; 200, 400 (body or chat id) and 429 (per second).
//! - Webhooks configured through the API: Message and Status, WhatsApp Management and
//!   Asynchronous API Results, with a security token sent as `auth-bm-token`, at least one
//!   channel, and the message types to carry. A misspelled field or type is refused, never
//!   ignored.
//! - Notifications for what the filters select, with the send's `webhookPayload` echoed;
//!   sandbox controls play a user or an agent writing and a platform event.

mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Json;
use botbat_api::platforms::botmaker::{ErrorBody, TOKEN_HEADER};
use botbat_secrets::Sensitive;
use sqlx::SqlitePool;

use super::{credentials, RunningStandIn, Windows};
use crate::clock::Clock;
use crate::ids;

/// The stand-in's data file, beside BotBat's in a shared data dir.
pub const DB_FILE: &str = "botmaker.sqlite";
/// A token given to the stand-in at start, instead of a generated one.
pub const TOKEN_ENV: &str = "BOTMAKER_STANDIN_TOKEN";
/// The largest JSON body a request may carry.
pub const MAX_BODY: usize = 64 * 1024;
/// Requests a token may make each second unless told otherwise.
pub const DEFAULT_PER_SECOND: u32 = 5;

pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub per_second: u32,
    /// The first token of an empty data dir; generated (and shown once) when `None`.
    pub token: Option<Sensitive<String>>,
}

#[derive(Clone)]
struct StandIn(Arc<Shared>);

struct Shared {
    db: SqlitePool,
    clock: Clock,
    per_second: u32,
    windows: Windows,
    http: reqwest::Client,
}

impl std::ops::Deref for StandIn {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// A Botmaker error response.
#[derive(Debug)]
struct Error {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Error {
    /// 400: the body is wrong.
    fn body(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_body",
            message: message.into(),
        }
    }

    /// 400: the chat (channel or contact) is wrong.
    fn chat(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_chat",
            message: message.into(),
        }
    }

    fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
        }
    }

    fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: message.into(),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        tracing::warn!(%error, "botmaker stand-in storage error");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "server_error",
            message: "The stand-in could not read or write its data file.".to_string(),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code.to_string(),
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

type Result<T> = std::result::Result<T, Error>;

/// The channels a new data dir's bot has: one WhatsApp number and a web chat.
const FIRST_CHANNELS: [(&str, &str, &str); 2] = [
    (
        "standin-whatsapp-15550001111",
        "WhatsApp +1 555 000 1111",
        "whatsapp",
    ),
    ("standin-webchat", "Web chat", "webchat"),
];

/// Opens the data dir, makes the first token and channels if there are none, and serves.
pub async fn start(config: Config) -> anyhow::Result<RunningStandIn> {
    anyhow::ensure!(
        config.per_second > 0,
        "the per-second limit must be at least 1"
    );
    let db = crate::db::open_file(
        &config.data_dir,
        DB_FILE,
        &sqlx::migrate!("./migrations-botmaker"),
    )
    .await?;
    let clock = Clock::with_offset_ms(0);
    let mut generated = None;
    if credentials::count(&db).await? == 0 {
        let secret = match &config.token {
            Some(token) => {
                anyhow::ensure!(
                    token.expose().len() >= 20
                        && token.expose().bytes().all(|b| b.is_ascii_graphic()),
                    "{TOKEN_ENV} must be at least 20 visible characters"
                );
                token.expose().to_string()
            }
            None => {
                let secret = ids::base62(48);
                generated = Some(Sensitive::new(secret.clone()));
                secret
            }
        };
        credentials::insert(&db, &secret, "Botmaker API", "full", clock.now_ms()).await?;
        for (id, name, platform) in FIRST_CHANNELS {
            sqlx::query("INSERT INTO channels (id, name, platform, active) VALUES (?, ?, ?, 1)")
                .bind(id)
                .bind(name)
                .bind(platform)
                .execute(&db)
                .await?;
        }
    }
    let state = StandIn(Arc::new(Shared {
        db,
        clock,
        per_second: config.per_second,
        windows: Windows::new(1),
        http: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .user_agent("Botmaker-Webhooks/1.0 (stand-in)")
            .build()?,
    }));
    let app = routes::router()
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    super::serve_on(listener, "/v2.0", app, generated).await
}

async fn not_found() -> Error {
    Error::not_found("No such endpoint under /v2.0.")
}

/// The `access-token` header, then the token's per-second window.
async fn authenticate(State(state): State<StandIn>, request: Request, next: Next) -> Response {
    let Some(token) = request
        .headers()
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Error::unauthorized(format!(
            "No access token: send it in the `{TOKEN_HEADER}` header."
        ))
        .into_response();
    };
    let id = match credentials::find(&state.db, token).await {
        Ok(Some((id, _))) => id,
        Ok(None) => {
            return Error::unauthorized(
                "The access token is not valid: generate one under Settings → Botmaker API.",
            )
            .into_response()
        }
        Err(error) => return Error::from(error).into_response(),
    };
    let now_s = state.clock.now_ms().div_euclid(1000);
    let (used, _) = state.windows.count(&id, now_s);
    if used > state.per_second {
        let mut response = Error {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "rate_limited",
            message: format!(
                "Requests per second limit exceeded: this token may make {} requests a second.",
                state.per_second
            ),
        }
        .into_response();
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(1));
        return response;
    }
    next.run(request).await
}
