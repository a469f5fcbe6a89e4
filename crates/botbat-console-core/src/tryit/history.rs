//! Every request Try It sends, with its response, in `<environment>/history.sqlite` (or a
//! connection's `connections/<id>/history.sqlite`).
//!
//! History is what lets a support engineer come back to yesterday's failing call, so it is
//! durable (SQLite, WAL) and searchable. It never holds a secret: the key travels only in
//! the Authorization header, which is not stored, and any key or signing secret that shows
//! up in a body or header (a key created from Try It, a header a user typed) is masked to
//! `bb_test_…a1b2` before the row is written.

use std::borrow::Cow;
use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use botbat_api::ErrorCode;
use botbat_secrets::mask_secret;
use regex::Regex;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, SqlitePool};

use super::model::{TryHistoryEntry, TryHistoryItem, TryPair, TryRequest, TryResponse};
use crate::{CommandError, ConsoleCode};

type Result<T> = std::result::Result<T, CommandError>;

/// Rows kept per environment; older ones are dropped as new ones arrive.
pub const KEEP_ROWS: i64 = 5_000;
/// A stored response body is cut here; the live response is never cut.
pub const MAX_STORED_BODY: usize = 1024 * 1024;
pub const LIST_LIMIT: u32 = 200;

static SECRET: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:bb_(?:test|live)_[A-Za-z0-9]{12,}|whsec_[A-Za-z0-9+/=_-]{12,})").ok()
});

const SECRET_HEADERS: [&str; 6] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
];

/// Masks every API key and webhook signing secret in `text`.
pub fn redact(text: &str) -> Cow<'_, str> {
    match SECRET.as_ref() {
        Some(re) => re.replace_all(text, |c: &regex::Captures<'_>| mask_secret(&c[0])),
        // The pattern is a constant that compiles; without it nothing would be masked, so
        // mask everything rather than store a secret.
        None => Cow::Owned("[redacted]".into()),
    }
}

fn redact_pairs(pairs: &[TryPair]) -> Vec<TryPair> {
    pairs
        .iter()
        .map(|p| {
            let value = if SECRET_HEADERS.contains(&p.name.to_ascii_lowercase().as_str()) {
                "[redacted]".to_string()
            } else {
                redact(&p.value).into_owned()
            };
            TryPair::new(p.name.clone(), value)
        })
        .collect()
}

pub fn redact_request(request: &TryRequest) -> TryRequest {
    TryRequest {
        path_params: redact_pairs(&request.path_params),
        query: redact_pairs(&request.query),
        headers: redact_pairs(&request.headers),
        body: request.body.as_deref().map(|b| redact(b).into_owned()),
        form: request
            .form
            .iter()
            .map(|p| super::model::TryFormPart {
                content: redact(&p.content).into_owned(),
                ..p.clone()
            })
            .collect(),
        ..request.clone()
    }
}

pub fn redact_response(response: &TryResponse) -> TryResponse {
    let mut body = redact(&response.body).into_owned();
    if body.len() > MAX_STORED_BODY {
        let mut cut = MAX_STORED_BODY;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
    }
    TryResponse {
        url: redact(&response.url).into_owned(),
        headers: redact_pairs(&response.headers),
        json: None,
        body,
        ..response.clone()
    }
}

#[derive(FromRow)]
struct Row {
    id: i64,
    created_at: String,
    method: String,
    path: String,
    url: String,
    operation_id: Option<String>,
    status: i64,
    elapsed_ms: f64,
    size_bytes: i64,
    credential_label: String,
    request_id: Option<String>,
}

#[derive(FromRow)]
struct FullRow {
    #[sqlx(flatten)]
    item: Row,
    request_json: String,
    response_json: String,
}

impl From<Row> for TryHistoryItem {
    fn from(row: Row) -> Self {
        TryHistoryItem {
            id: row.id,
            created_at: row.created_at,
            method: row.method,
            path: row.path,
            url: row.url,
            status: u16::try_from(row.status).unwrap_or(0),
            elapsed_ms: row.elapsed_ms,
            size_bytes: u32::try_from(row.size_bytes).unwrap_or(u32::MAX),
            credential_label: row.credential_label,
            request_id: row.request_id,
            operation_id: row.operation_id,
        }
    }
}

fn storage_error(error: impl std::fmt::Display) -> CommandError {
    CommandError::new(
        ConsoleCode::LocalStorage,
        format!("Try It history: {error}"),
    )
}

#[derive(Clone)]
pub struct History {
    pool: SqlitePool,
    /// Whose rows these are: an environment (`sandbox`, `production`) or a connection id.
    scope: String,
}

impl History {
    pub async fn open(path: &Path, scope: &str) -> Result<Self> {
        // Compiled here rather than when the first row is written: Try It opens the history
        // while its first request is on the wire.
        LazyLock::force(&SECRET);
        // A path, never a `sqlite://` URL: a data dir may hold `?`, `#`, `%` or spaces.
        // The first connection to open the file reads the whole WAL back in, which every
        // `botbat request` does (it leaves without a closing checkpoint, see the CLI's
        // `Ctx::finish`): a checkpoint every 100 pages, about 16 requests, keeps that read
        // short (the default, 1,000 pages, lets it grow to 4 MB).
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .pragma("wal_autocheckpoint", "100")
            .busy_timeout(Duration::from_secs(5));
        // A connection to a local file does not go stale: it is not pinged before each use.
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| storage_error(format!("cannot open {}: {e}", path.display())))?;
        sqlx::migrate!("./migrations/history")
            .run(&pool)
            .await
            .map_err(storage_error)?;
        Ok(Self {
            pool,
            scope: scope.to_string(),
        })
    }

    /// Stores a request and its response, secrets masked; returns the row id.
    pub async fn record(&self, request: &TryRequest, response: &TryResponse) -> Result<i64> {
        let stored_request = redact_request(request);
        let stored_response = redact_response(response);
        let request_json = serde_json::to_string(&stored_request).map_err(storage_error)?;
        let response_json = serde_json::to_string(&stored_response).map_err(storage_error)?;
        // Both statements on one connection: one given back to the pool is only reusable
        // once the pool has checked it, and meanwhile the next statement would open another.
        let mut connection = self.pool.acquire().await.map_err(storage_error)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO history (environment, created_at, method, path, url, operation_id, status,
                 elapsed_ms, size_bytes, credential_label, request_id, request_json, response_json)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(self.scope.as_str())
        .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .bind(&stored_response.method)
        .bind(&stored_request.path)
        .bind(&stored_response.url)
        .bind(&stored_request.operation_id)
        .bind(i64::from(response.status))
        .bind(response.elapsed_ms)
        .bind(i64::from(response.size_bytes))
        .bind(&response.credential_label)
        .bind(&response.request_id)
        .bind(request_json)
        .bind(response_json)
        .fetch_one(&mut *connection)
        .await
        .map_err(storage_error)?;
        sqlx::query(
            "DELETE FROM history WHERE environment = ?1 AND id <= (
                 SELECT id FROM history WHERE environment = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
        )
        .bind(self.scope.as_str())
        .bind(KEEP_ROWS)
        .execute(&mut *connection)
        .await
        .map_err(storage_error)?;
        Ok(id)
    }

    /// The newest requests first; `query` matches method, path, URL, status, request id
    /// and the stored bodies.
    pub async fn list(&self, query: &str, limit: u32) -> Result<Vec<TryHistoryItem>> {
        let query = query.trim();
        let pattern = format!(
            "%{}%",
            query
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, created_at, method, path, url, operation_id, status, elapsed_ms, size_bytes,
                    credential_label, request_id
             FROM history
             WHERE environment = ?1 AND (?2 = '' OR
                   (method || ' ' || path || ' ' || url || ' ' || status || ' ' || IFNULL(request_id, '')
                    || ' ' || IFNULL(operation_id, '') || ' ' || credential_label) LIKE ?3 ESCAPE '\\'
                   OR request_json LIKE ?3 ESCAPE '\\' OR response_json LIKE ?3 ESCAPE '\\')
             ORDER BY id DESC LIMIT ?4",
        )
        .bind(self.scope.as_str())
        .bind(query)
        .bind(pattern)
        .bind(i64::from(limit.clamp(1, 1_000)))
        .fetch_all(&self.pool)
        .await
        .map_err(storage_error)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn get(&self, id: i64) -> Result<TryHistoryEntry> {
        let row: Option<FullRow> = sqlx::query_as(
            "SELECT id, created_at, method, path, url, operation_id, status, elapsed_ms, size_bytes,
                    credential_label, request_id, request_json, response_json
             FROM history WHERE environment = ? AND id = ?",
        )
        .bind(self.scope.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(storage_error)?;
        let Some(FullRow {
            item,
            request_json,
            response_json,
        }) = row
        else {
            return Err(CommandError::new(
                ErrorCode::NotFound,
                format!("There is no request {id} in this environment's history."),
            ));
        };
        let request: TryRequest = serde_json::from_str(&request_json).map_err(storage_error)?;
        let mut response: TryResponse =
            serde_json::from_str(&response_json).map_err(storage_error)?;
        response.json = serde_json::from_str(&response.body).ok();
        response.history_id = Some(id);
        Ok(TryHistoryEntry {
            item: item.into(),
            request,
            response,
        })
    }

    pub async fn clear(&self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM history WHERE environment = ?")
            .bind(self.scope.as_str())
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_signing_secrets_are_masked_wherever_they_appear() {
        let text = r#"{"secret":"bb_test_0123456789abcdefghijABCDEFGHa1b2","w":"whsec_c2VjcmV0c2VjcmV0c2VjcmV0","other":"bb_test_"}"#;
        let masked = redact(text);
        assert!(!masked.contains("0123456789abcdef"), "{masked}");
        assert!(
            masked.contains("bb_test_…a1b2") && masked.contains("whsec_…cmV0"),
            "{masked}"
        );
        assert!(masked.contains(r#""other":"bb_test_""#));
        let request = TryRequest {
            headers: vec![
                TryPair::new("X-Api-Key", "plain"),
                TryPair::new("X-Trace", "t1"),
            ],
            ..TryRequest::default()
        };
        let stored = redact_request(&request);
        assert_eq!(stored.headers[0].value, "[redacted]");
        assert_eq!(stored.headers[1].value, "t1");
    }
}
