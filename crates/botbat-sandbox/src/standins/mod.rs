//! Stand-ins for the two other platforms in the docs, Botbiz and Botmaker, so the console's
//! connections to them are tested over real HTTP the way `--live` stands in for BotBat
//! production. Each platform is its own module with its own data file, auth, error format
//! and rate limits; BotBat's sandbox code knows nothing of them.

pub mod botbiz;
pub mod botmaker;

use std::net::SocketAddr;

use botbat_secrets::Sensitive;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A stand-in serving on its socket until [`RunningStandIn::shutdown`].
pub struct RunningStandIn {
    /// The platform's base URL on this socket, e.g. `http://127.0.0.1:8788/v1`.
    pub base_url: String,
    pub addr: SocketAddr,
    /// Set when this start created the first credential of an empty data dir: the only time
    /// that secret exists in the clear.
    pub generated_key: Option<Sensitive<String>>,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
}

impl RunningStandIn {
    /// Stops accepting requests and finishes the ones in flight.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Err(error) = (&mut self.server).await {
            tracing::warn!(%error, "stand-in server task ended abnormally");
        }
    }

    /// Serves until the process is stopped.
    pub async fn wait(mut self) -> anyhow::Result<()> {
        (&mut self.server).await??;
        Ok(())
    }
}

/// Serves `app` on `listener`; its routes live under `base_path` (`/v1`, `/v2.0`).
async fn serve_on(
    listener: TcpListener,
    base_path: &str,
    app: axum::Router,
    generated_key: Option<Sensitive<String>>,
) -> anyhow::Result<RunningStandIn> {
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningStandIn {
        base_url: format!("http://{addr}{base_path}"),
        addr,
        generated_key,
        stop: Some(stop),
        server,
    })
}

/// Fixed rate-limit windows per credential: a calendar minute for Botbiz, a second for
/// Botmaker.
struct Windows {
    seconds: i64,
    /// Per credential id: the window's number and how many requests it has seen.
    counts: std::sync::Mutex<std::collections::HashMap<String, (i64, u32)>>,
}

impl Windows {
    fn new(seconds: i64) -> Self {
        Self {
            seconds,
            counts: Default::default(),
        }
    }

    /// Counts one request in the credential's current window: how many it has made in it,
    /// this one included, and when the window ends (Unix seconds).
    fn count(&self, id: &str, now_s: i64) -> (u32, i64) {
        let window = now_s.div_euclid(self.seconds);
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let entry = counts.entry(id.to_string()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        (entry.1, (window + 1) * self.seconds)
    }
}

/// A stand-in's credentials: only their hashes are stored, as the sandbox stores its keys.
mod credentials {
    use sqlx::SqlitePool;

    use crate::ids;

    /// Stores a credential; its id.
    pub async fn insert(
        db: &SqlitePool,
        secret: &str,
        name: &str,
        access: &str,
        now_ms: i64,
    ) -> sqlx::Result<String> {
        let id = format!("key_{}", ids::base62(16));
        sqlx::query(
            "INSERT INTO keys (id, secret_hash, name, access, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(ids::hash_secret(secret))
        .bind(name)
        .bind(access)
        .bind(now_ms)
        .execute(db)
        .await?;
        Ok(id)
    }

    /// The id and access of the credential `secret`, if it is one.
    pub async fn find(db: &SqlitePool, secret: &str) -> sqlx::Result<Option<(String, String)>> {
        sqlx::query_as("SELECT id, access FROM keys WHERE secret_hash = ?")
            .bind(ids::hash_secret(secret))
            .fetch_optional(db)
            .await
    }

    pub async fn count(db: &SqlitePool) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM keys")
            .fetch_one(db)
            .await
    }
}

/// Reading a request body the way both stand-ins do: each error is a sentence that says
/// what to fix, which each platform wraps in its own error format.
mod body {
    use axum::body::Bytes;
    use axum::extract::rejection::BytesRejection;
    use serde_json::Value;

    /// The request's JSON object.
    pub fn object(body: Result<Bytes, BytesRejection>, max: usize) -> Result<Value, String> {
        let bytes =
            body.map_err(|_| format!("The request body is larger than {} KiB.", max / 1024))?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            format!("The request body is not valid JSON ({e}): send a JSON object.")
        })?;
        if value.is_object() {
            Ok(value)
        } else {
            Err("The request body must be a JSON object.".to_string())
        }
    }

    /// A required, non-empty string field.
    pub fn required<'a>(body: &'a Value, name: &str) -> Result<&'a str, String> {
        match body.get(name) {
            None | Some(Value::Null) => Err(format!("Missing required parameter: {name}")),
            Some(Value::String(s)) if s.trim().is_empty() => {
                Err(format!("Missing required parameter: {name} (it is empty)"))
            }
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(format!("Invalid parameter: {name} must be a string")),
        }
    }

    /// Whether `text` is an absolute http(s) URL with a host.
    pub fn is_http_url(text: &str) -> bool {
        url::Url::parse(text)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
    }

    /// A phone number with its country code: `+` and 8 to 15 digits.
    pub fn is_phone(text: &str) -> bool {
        let digits = text.strip_prefix('+').unwrap_or("");
        (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    }
}

/// Posts one webhook delivery; the receiver's status, or why there is none.
async fn deliver(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, String)],
    payload: &[u8],
) -> (Option<u16>, Option<String>) {
    let mut request = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(payload.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    match request.send().await {
        Ok(response) => (Some(response.status().as_u16()), None),
        Err(error) => (None, Some(format!("not delivered: {error}"))),
    }
}
