//! Every request Try It sends, with its response, in `<environment>/history.sqlite` (or a
//! connection's `connections/<id>/history.sqlite`).
//!
//! History is what lets a support engineer come back to yesterday's failing call, so it is
//! durable (SQLite, WAL) and searchable. It never holds a secret: the key travels only in
//! the Authorization header, which is not stored, and any key or signing secret that shows
//! up in a body or header (a key created from Try It, a header a user typed) is masked to
//! `bb_test_…a1b2` before the row is written.
//!
//! A row is written behind the answer: [`History::record`] copies the request and the
//! response (without its parsed body) and hands them to the history's one writer task, which
//! masks, serializes and inserts them, so a send returns as soon as its response is read
//! (the write was most of what Try It added to a bare request, see the README's figures).
//! Rows are written in the order they were handed over, every read waits for the rows
//! handed over before it ([`History::settle`]), and a write that failed is reported by the
//! next read, so nothing is lost quietly. A process that ends right after a send settles
//! first (the app on exit, `botbat request` before it leaves).

use std::borrow::Cow;
use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use botbat_api::ErrorCode;
use botbat_secrets::mask_secret;
use regex::Regex;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, SqlitePool};
use tokio::sync::{mpsc, oneshot};

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

pub fn redact_request(request: TryRequest) -> TryRequest {
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
        ..request
    }
}

/// The response as history stores it: secrets masked, the body cut at [`MAX_STORED_BODY`],
/// no parsed body (the text is kept).
pub fn redact_response(response: TryResponse) -> TryResponse {
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
        body,
        json: None,
        ..response
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
    /// The writer task's queue: rows to write, and settle requests answered in turn.
    writer: mpsc::UnboundedSender<Write>,
}

/// A request and its answer as recorded, not yet masked.
struct Answered {
    created_at: String,
    request: TryRequest,
    response: TryResponse,
}

impl FullRow {
    /// The row to insert for what was recorded: masked and serialized. Its `id` is 0 until
    /// SQLite assigns one.
    fn of(answered: Answered) -> std::result::Result<Self, serde_json::Error> {
        let Answered {
            created_at,
            request,
            response,
        } = answered;
        let stored_request = redact_request(request);
        let stored_response = redact_response(response);
        Ok(Self {
            item: Row {
                id: 0,
                created_at,
                method: stored_response.method.clone(),
                path: stored_request.path.clone(),
                url: stored_response.url.clone(),
                operation_id: stored_request.operation_id.clone(),
                status: i64::from(stored_response.status),
                elapsed_ms: stored_response.elapsed_ms,
                size_bytes: i64::from(stored_response.size_bytes),
                credential_label: stored_response.credential_label.clone(),
                request_id: stored_response.request_id.clone(),
            },
            request_json: serde_json::to_string(&stored_request)?,
            response_json: serde_json::to_string(&stored_response)?,
        })
    }
}

enum Write {
    Row(Box<Answered>),
    /// Answered once every row queued before it is written, with the failures since the
    /// last settle.
    Settle(oneshot::Sender<Vec<String>>),
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
        let (writer, queue) = mpsc::unbounded_channel();
        tokio::spawn(write_rows(pool.clone(), scope.to_string(), queue));
        Ok(Self {
            pool,
            scope: scope.to_string(),
            writer,
        })
    }

    /// Waits until every row recorded so far is written; a write that failed since the last
    /// settle is the error.
    pub async fn settle(&self) -> Result<()> {
        let (done, answer) = oneshot::channel();
        if self.writer.send(Write::Settle(done)).is_err() {
            return Err(storage_error("the history writer has stopped"));
        }
        let failures = answer
            .await
            .map_err(|_| storage_error("the history writer has stopped"))?;
        match failures.as_slice() {
            [] => Ok(()),
            [one] => Err(storage_error(format!("a request could not be kept: {one}"))),
            [first, ..] => Err(storage_error(format!(
                "{} requests could not be kept; the first: {first}",
                failures.len()
            ))),
        }
    }

    /// Keeps a request and its response, secrets masked. The row is masked, serialized and
    /// written behind the caller's back, in order; the next read (or [`History::settle`])
    /// sees it. The parsed body is not copied: the stored row keeps the body's text.
    pub fn record(&self, request: &TryRequest, response: &TryResponse) -> Result<()> {
        let answered = Answered {
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            request: request.clone(),
            response: response.without_json(),
        };
        self.writer
            .send(Write::Row(Box::new(answered)))
            .map_err(|_| storage_error("the history writer has stopped"))
    }

    /// The newest requests first; `query` matches method, path, URL, status, request id
    /// and the stored bodies.
    pub async fn list(&self, query: &str, limit: u32) -> Result<Vec<TryHistoryItem>> {
        self.settle().await?;
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
        self.settle().await?;
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
        self.settle().await?;
        let done = sqlx::query("DELETE FROM history WHERE environment = ?")
            .bind(self.scope.as_str())
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(done.rows_affected())
    }
}

/// The history's one writer: rows in the order they were recorded, each followed by the
/// trim to [`KEEP_ROWS`], on one connection. Ends when every [`History`] handle is gone and
/// the queue is drained.
async fn write_rows(pool: SqlitePool, scope: String, mut queue: mpsc::UnboundedReceiver<Write>) {
    let mut failures = Vec::new();
    while let Some(write) = queue.recv().await {
        match write {
            Write::Row(answered) => {
                let what = format!("{} {}", answered.request.method, answered.request.path);
                let written = match FullRow::of(*answered) {
                    Ok(row) => insert(&pool, &scope, &row).await.map_err(|e| e.to_string()),
                    Err(error) => Err(error.to_string()),
                };
                if let Err(error) = written {
                    tracing::warn!(%error, request = %what, "a Try It history row was not written");
                    failures.push(format!("{what}: {error}"));
                }
            }
            Write::Settle(done) => {
                let _ = done.send(std::mem::take(&mut failures));
            }
        }
    }
}

async fn insert(pool: &SqlitePool, scope: &str, full: &FullRow) -> sqlx::Result<()> {
    let row = &full.item;
    // Both statements on one connection: one given back to the pool is only reusable once
    // the pool has checked it, and meanwhile the next statement would open another.
    let mut connection = pool.acquire().await?;
    sqlx::query(
        "INSERT INTO history (environment, created_at, method, path, url, operation_id, status,
             elapsed_ms, size_bytes, credential_label, request_id, request_json, response_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&row.created_at)
    .bind(&row.method)
    .bind(&row.path)
    .bind(&row.url)
    .bind(&row.operation_id)
    .bind(row.status)
    .bind(row.elapsed_ms)
    .bind(row.size_bytes)
    .bind(&row.credential_label)
    .bind(&row.request_id)
    .bind(&full.request_json)
    .bind(&full.response_json)
    .execute(&mut *connection)
    .await?;
    sqlx::query(
        "DELETE FROM history WHERE environment = ?1 AND id <= (
             SELECT id FROM history WHERE environment = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
    )
    .bind(scope)
    .bind(KEEP_ROWS)
    .execute(&mut *connection)
    .await?;
    Ok(())
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
        let stored = redact_request(request);
        assert_eq!(stored.headers[0].value, "[redacted]");
        assert_eq!(stored.headers[1].value, "t1");
    }

    fn answered(path: &str, status: u16) -> (TryRequest, TryResponse) {
        let request = TryRequest {
            method: "GET".into(),
            path: path.into(),
            ..TryRequest::default()
        };
        let response = TryResponse {
            method: "GET".into(),
            url: format!("http://127.0.0.1:1/v1{path}"),
            status,
            ..super::super::send::interpret(
                "GET",
                "http://127.0.0.1:1",
                status,
                Vec::new(),
                b"{}",
                None,
            )
        };
        (request, response)
    }

    #[tokio::test]
    async fn rows_written_behind_are_read_in_order_by_the_next_read() {
        let dir = tempfile::tempdir().expect("dir");
        let history = History::open(&dir.path().join("history.sqlite"), "sandbox")
            .await
            .expect("open");
        for n in 0..50 {
            let (request, response) = answered(&format!("/contacts/{n}"), 200);
            history.record(&request, &response).expect("recorded");
        }
        let items = history.list("", 100).await.expect("list");
        let paths: Vec<String> = items.iter().rev().map(|i| i.path.clone()).collect();
        let expected: Vec<String> = (0..50).map(|n| format!("/contacts/{n}")).collect();
        assert_eq!(paths, expected, "every row, in the order recorded");
    }

    #[tokio::test]
    async fn a_write_that_failed_is_the_next_reads_error_and_then_cleared() {
        let dir = tempfile::tempdir().expect("dir");
        let history = History::open(&dir.path().join("history.sqlite"), "sandbox")
            .await
            .expect("open");
        sqlx::query("ALTER TABLE history RENAME TO history_away")
            .execute(&history.pool)
            .await
            .expect("table moved away");
        let (request, response) = answered("/contacts/lost", 200);
        history.record(&request, &response).expect("handed over");
        let error = history
            .settle()
            .await
            .expect_err("the failed write is said");
        assert!(
            error.message.contains("GET /contacts/lost"),
            "names the request: {}",
            error.message
        );
        sqlx::query("ALTER TABLE history_away RENAME TO history")
            .execute(&history.pool)
            .await
            .expect("table back");
        history.settle().await.expect("said once, not again");
        let (request, response) = answered("/contacts/kept", 200);
        history.record(&request, &response).expect("handed over");
        let items = history.list("", 10).await.expect("list");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].path, "/contacts/kept");
    }
}
