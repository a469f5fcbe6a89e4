//! The inspector's capture store: every request the receiver or the tunnel gets, in
//! `inspector.sqlite`, written before the sender is answered.
//!
//! Writes go through one writer thread that commits whatever is queued in one transaction
//! (group commit), so a burst of webhooks costs one commit per batch instead of one per
//! request, while each request is still answered only after its row is committed. The
//! writer has a plain SQLite connection of its own and one prepared insert, so a capture
//! costs no hand-off between the async runtime and a pool's worker; a second thread copies
//! the write-ahead log into the file (checkpoints) while the writer goes on. Reads, and the
//! updates of a capture once stored (its forward result, replays, deletions), go through
//! an sqlx pool. The list queries are windowed (offset + limit over an id index) so a view
//! of 100,000 captures reads only the rows on screen.
//!
//! Credential headers are masked on the way in (see [`crate::credentials`]); bodies are
//! stored as received. The writer also enforces the retention: after each batch it deletes
//! the oldest captures beyond the kept count, and now and then those older than the kept
//! age, a bounded chunk at a time, so pruning never scans the table or stalls the receiver.

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, SqlitePool};
use tokio::sync::oneshot;
use ts_rs::TS;

use crate::credentials::{mask_headers, mask_response_headers, CredentialKey, MaskedHeader};
use crate::{Scheme, Verdict};

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("the capture store failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the capture store failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("cannot open {path}: {message}")]
    Open { path: String, message: String },
    /// A batch the writer could not commit; every capture in it gets the same message.
    #[error("the capture store could not write: {0}")]
    Write(String),
    #[error("the capture store is closed")]
    Closed,
}

pub type Result<T> = std::result::Result<T, CaptureError>;

/// Where a capture came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaptureSource {
    /// The local HTTP receiver.
    Receiver,
    /// The listen tunnel from the platform.
    Tunnel,
}

impl CaptureSource {
    fn as_str(self) -> &'static str {
        match self {
            CaptureSource::Receiver => "receiver",
            CaptureSource::Tunnel => "tunnel",
        }
    }
}

/// What the forward target answered, or why it could not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ForwardResult {
    /// The full URL the request went to.
    pub url: String,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The target sent more than the inspector keeps; `body` is its beginning.
    #[serde(default)]
    pub body_truncated: bool,
    #[ts(type = "number")]
    pub latency_ms: u64,
    pub error: Option<String>,
    /// Set when this forward was a replay: how it was made.
    pub replay: Option<ReplayKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReplayKind {
    /// Sent again as captured.
    AsCaptured,
    /// Sent with the user's edits (the signature may no longer match).
    Edited,
    /// Signed again with a fresh timestamp, so a strict verifier accepts it.
    Resigned,
}

/// A request as it arrived, to be stored.
#[derive(Debug, Clone)]
pub struct NewCapture {
    pub source: CaptureSource,
    pub received_at: DateTime<Utc>,
    pub method: String,
    /// Path and query, as received.
    pub path: String,
    /// As received; credential headers are masked when the capture is stored.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The declared or counted size; larger than `body.len()` when the body was refused.
    pub body_size: u64,
    /// What the receiver answered (413 for a body over the limit, the mock status…), when
    /// known at capture time.
    pub response_status: Option<u16>,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub verdict: Option<Verdict>,
    pub note: Option<String>,
}

impl NewCapture {
    /// The list row this capture becomes once stored as `id`, without reading it back.
    pub fn summary(&self, id: i64) -> CaptureSummary {
        CaptureSummary {
            id,
            source: self.source,
            received_at: self.received_at,
            method: self.method.clone(),
            path: self.path.clone(),
            event_id: self.event_id.clone(),
            event_type: self.event_type.clone(),
            body_size: self.body_size,
            response_status: self.response_status,
            scheme: self.verdict.as_ref().map(|v| v.scheme),
            signature_valid: self.verdict.as_ref().map(|v| v.valid),
            forward_status: None,
            forward_error: None,
            note: self.note.clone(),
        }
    }
}

/// Filter on a capture's signature verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VerdictFilter {
    Valid,
    Invalid,
    /// No signature header of any known scheme.
    Unsigned,
}

/// Filter on a capture's forward result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ForwardFilter {
    /// Forwarded and answered 2xx.
    Succeeded,
    /// Forwarded and answered otherwise, or not reachable.
    Failed,
    NotForwarded,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct CaptureFilter {
    pub event_type: Option<String>,
    pub verdict: Option<VerdictFilter>,
    pub forward: Option<ForwardFilter>,
    /// Text searched for in the body (and the path).
    pub search: Option<String>,
}

/// One row of the capture list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaptureSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub source: CaptureSource,
    pub received_at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    #[ts(type = "number")]
    pub body_size: u64,
    pub response_status: Option<u16>,
    pub scheme: Option<Scheme>,
    /// `None` when unsigned.
    pub signature_valid: Option<bool>,
    pub forward_status: Option<u16>,
    pub forward_error: Option<String>,
    pub note: Option<String>,
}

/// Everything about one capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaptureDetail {
    pub summary: CaptureSummary,
    /// As stored: the values of credential headers are masks.
    pub headers: Vec<(String, String)>,
    /// The headers stored masked.
    pub masked: Vec<MaskedHeader>,
    /// The body as text (invalid UTF-8 replaced); `body_base64` has the exact bytes.
    pub body: String,
    pub body_base64: String,
    pub verdict: Option<Verdict>,
    /// The last forward (or replay) result.
    pub forward: Option<ForwardResult>,
    /// Every replay made from this capture, oldest first.
    pub replays: Vec<ForwardResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CapturePage {
    pub rows: Vec<CaptureSummary>,
    /// How many captures match the filter.
    #[ts(type = "number")]
    pub total: u64,
}

#[derive(Debug, FromRow)]
struct CaptureRow {
    id: i64,
    source: String,
    received_at: i64,
    method: String,
    path: String,
    headers: String,
    body: Vec<u8>,
    body_size: i64,
    response_status: Option<i64>,
    event_id: Option<String>,
    event_type: Option<String>,
    scheme: Option<String>,
    signature_valid: Option<bool>,
    verdict: Option<String>,
    forward: Option<String>,
    forward_status: Option<i64>,
    forward_error: Option<String>,
    replays: String,
    note: Option<String>,
    masked: String,
}

const SUMMARY_COLUMNS: &str = "id, source, received_at, method, path, '[]' AS headers,
    X'' AS body, body_size, response_status, event_id, event_type, scheme, signature_valid,
    NULL AS verdict, NULL AS forward, forward_status, forward_error, '[]' AS replays, note,
    '[]' AS masked";

fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

impl CaptureRow {
    fn summary(&self) -> CaptureSummary {
        CaptureSummary {
            id: self.id,
            source: if self.source == "tunnel" {
                CaptureSource::Tunnel
            } else {
                CaptureSource::Receiver
            },
            received_at: from_ms(self.received_at),
            method: self.method.clone(),
            path: self.path.clone(),
            event_id: self.event_id.clone(),
            event_type: self.event_type.clone(),
            body_size: self.body_size.max(0) as u64,
            response_status: self.response_status.map(|s| s as u16),
            scheme: self
                .scheme
                .as_deref()
                .and_then(|s| serde_json::from_value(serde_json::Value::String(s.into())).ok()),
            signature_valid: self.signature_valid,
            forward_status: self.forward_status.map(|s| s as u16),
            forward_error: self.forward_error.clone(),
            note: self.note.clone(),
        }
    }

    fn detail(&self) -> CaptureDetail {
        use base64::Engine;
        CaptureDetail {
            summary: self.summary(),
            headers: serde_json::from_str(&self.headers).unwrap_or_default(),
            masked: serde_json::from_str(&self.masked).unwrap_or_default(),
            body: String::from_utf8_lossy(&self.body).into_owned(),
            body_base64: base64::engine::general_purpose::STANDARD.encode(&self.body),
            verdict: self
                .verdict
                .as_deref()
                .and_then(|v| serde_json::from_str(v).ok()),
            forward: self
                .forward
                .as_deref()
                .and_then(|v| serde_json::from_str(v).ok()),
            replays: serde_json::from_str(&self.replays).unwrap_or_default(),
        }
    }
}

/// How many captures are kept, and for how long. The writer deletes the oldest beyond
/// either bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Retention {
    #[ts(type = "number")]
    pub max_captures: u64,
    pub max_age_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            max_captures: 100_000,
            max_age_days: 30,
        }
    }
}

struct WriteJob {
    capture: NewCapture,
    encoded: Encoded,
    done: oneshot::Sender<Result<i64>>,
}

/// The columns of a capture that are JSON text, serialised by the request's own task so
/// that the one writer thread only binds and steps.
struct Encoded {
    headers: String,
    scheme: Option<String>,
    verdict: Option<String>,
    masked: String,
}

impl Encoded {
    fn new(capture: &NewCapture, masked: &[MaskedHeader]) -> Self {
        let verdict = capture.verdict.as_ref();
        Self {
            headers: serde_json::to_string(&capture.headers).unwrap_or_else(|_| "[]".into()),
            scheme: verdict.map(|v| {
                serde_json::to_value(v.scheme)
                    .ok()
                    .and_then(|s| s.as_str().map(str::to_string))
                    .unwrap_or_default()
            }),
            verdict: verdict.and_then(|v| serde_json::to_string(v).ok()),
            masked: serde_json::to_string(masked).unwrap_or_else(|_| "[]".into()),
        }
    }
}

enum Job {
    Write(Box<WriteJob>),
    /// Apply the retention now (it changed).
    Prune,
}

/// What the writer and the store's handles share.
struct Shared {
    /// Captures in the file: counted once at open, then kept up to date by every insert
    /// and delete, so the retention needs no `COUNT(*)` per batch.
    count: AtomicI64,
    retention: RwLock<Retention>,
}

impl Shared {
    fn retention(&self) -> Retention {
        *self.retention.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// The store. Cheap to clone.
#[derive(Clone)]
pub struct CaptureStore {
    pool: SqlitePool,
    writer: flume::Sender<Job>,
    key: Arc<CredentialKey>,
    shared: Arc<Shared>,
}

/// How many queued captures one commit takes at most.
const BATCH: usize = 256;
/// How many old captures one pruning step deletes at most.
const PRUNE_CHUNK: i64 = 2_000;
/// How often the writer looks for captures past the kept age.
const AGE_CHECK: Duration = Duration::from_secs(60);
/// The meta key set once captures stored before masking existed have been masked.
const MASKED_SINCE: &str = "credentials_masked";

impl CaptureStore {
    /// Opens the store with a fingerprint key for this process only: masked credentials
    /// of earlier runs are then never recognised (see [`CaptureStore::open_with_key`]).
    pub async fn open(path: &Path) -> Result<Self> {
        Self::open_with_key(path, CredentialKey::random()).await
    }

    /// Opens the store; `key` fingerprints masked credentials so that replays can
    /// recognise the secrets this machine keeps.
    pub async fn open_with_key(path: &Path, key: CredentialKey) -> Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CaptureError::Open {
                path: parent.display().to_string(),
                message: e.to_string(),
            })?;
        }
        // A path, never a `sqlite://` URL: a data dir may hold `?`, `#`, `%` or spaces.
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            // Checkpoints are the checkpointer's, off every request's path.
            .pragma("wal_autocheckpoint", "0")
            .pragma("journal_size_limit", WAL_KEPT_BYTES.to_string());
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| CaptureError::Open {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        mask_earlier_captures(&pool, &key).await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM captures")
            .fetch_one(&pool)
            .await?;
        let shared = Arc::new(Shared {
            count: AtomicI64::new(count),
            retention: RwLock::new(Retention::default()),
        });
        let writer = start_writer(path, shared.clone())?;
        Ok(Self {
            pool,
            writer,
            key: Arc::new(key),
            shared,
        })
    }

    /// The key masked credentials are fingerprinted with.
    pub fn credential_key(&self) -> &CredentialKey {
        &self.key
    }

    pub fn retention(&self) -> Retention {
        self.shared.retention()
    }

    /// Changes the retention; the writer applies it right away, a chunk at a time.
    pub async fn set_retention(&self, retention: Retention) -> Result<()> {
        *self
            .shared
            .retention
            .write()
            .unwrap_or_else(|p| p.into_inner()) = retention;
        self.writer
            .send_async(Job::Prune)
            .await
            .map_err(|_| CaptureError::Closed)
    }

    /// Stores a capture, its credential headers masked; returns once it is committed.
    pub async fn record(&self, mut capture: NewCapture) -> Result<i64> {
        let masked = mask_headers(&mut capture.headers, &self.key);
        let (done, committed) = oneshot::channel();
        let encoded = Encoded::new(&capture, &masked);
        self.writer
            .send_async(Job::Write(Box::new(WriteJob {
                capture,
                encoded,
                done,
            })))
            .await
            .map_err(|_| CaptureError::Closed)?;
        committed.await.map_err(|_| CaptureError::Closed)?
    }

    /// Records the forward (or replay) result of a capture, credential headers of the
    /// response (a `Set-Cookie`) masked.
    pub async fn set_forward(&self, id: i64, result: &ForwardResult) -> Result<()> {
        let mut result = result.clone();
        mask_response_headers(&mut result.headers);
        let result = &result;
        let json = serde_json::to_string(result).unwrap_or_default();
        let replay = result.replay.is_some();
        sqlx::query(
            "UPDATE captures SET forward = ?1, forward_status = ?2, forward_error = ?3,
                 response_status = CASE WHEN ?4 THEN response_status ELSE COALESCE(response_status, ?2) END,
                 replays = CASE WHEN ?4 THEN json_insert(replays, '$[#]', json(?1)) ELSE replays END
             WHERE id = ?5",
        )
        .bind(&json)
        .bind(result.status.map(i64::from))
        .bind(&result.error)
        .bind(replay)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn set_response_status(&self, id: i64, status: u16) -> Result<()> {
        sqlx::query("UPDATE captures SET response_status = ? WHERE id = ?")
            .bind(i64::from(status))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    fn filter_sql(filter: &CaptureFilter) -> (String, Vec<String>) {
        let mut clauses = Vec::new();
        let mut binds = Vec::new();
        if let Some(t) = &filter.event_type {
            clauses.push("event_type = ?");
            binds.push(t.clone());
        }
        match filter.verdict {
            Some(VerdictFilter::Valid) => clauses.push("signature_valid = 1"),
            Some(VerdictFilter::Invalid) => clauses.push("signature_valid = 0"),
            Some(VerdictFilter::Unsigned) => clauses.push("signature_valid IS NULL"),
            None => {}
        }
        match filter.forward {
            Some(ForwardFilter::Succeeded) => {
                clauses.push("forward_status BETWEEN 200 AND 299")
            }
            Some(ForwardFilter::Failed) => clauses.push(
                "(forward IS NOT NULL AND (forward_status IS NULL OR forward_status NOT BETWEEN 200 AND 299))",
            ),
            Some(ForwardFilter::NotForwarded) => clauses.push("forward IS NULL"),
            None => {}
        }
        if let Some(search) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            clauses.push("(instr(CAST(body AS TEXT), ?) > 0 OR instr(path, ?) > 0)");
            binds.push(search.to_string());
            binds.push(search.to_string());
        }
        let sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        (sql, binds)
    }

    /// A window of the captures matching `filter`, newest first.
    pub async fn list(
        &self,
        filter: &CaptureFilter,
        offset: u64,
        limit: u32,
    ) -> Result<CapturePage> {
        let (where_sql, binds) = Self::filter_sql(filter);
        let count_sql = format!("SELECT COUNT(*) FROM captures {where_sql}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = count.bind(b);
        }
        let total = count.fetch_one(&self.pool).await?;
        let rows_sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM captures {where_sql} ORDER BY id DESC LIMIT ? OFFSET ?"
        );
        let mut rows = sqlx::query_as::<_, CaptureRow>(&rows_sql);
        for b in &binds {
            rows = rows.bind(b);
        }
        let rows = rows
            .bind(i64::from(limit.min(1000)))
            .bind(offset.min(i64::MAX as u64) as i64)
            .fetch_all(&self.pool)
            .await?;
        Ok(CapturePage {
            rows: rows.iter().map(CaptureRow::summary).collect(),
            total: total.max(0) as u64,
        })
    }

    /// The captures of one event, by the `webhook-id` they arrived with (or their body's
    /// event id), newest first.
    pub async fn with_event_id(&self, event_id: &str) -> Result<Vec<CaptureSummary>> {
        let rows: Vec<CaptureRow> = sqlx::query_as(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM captures WHERE event_id = ? ORDER BY id DESC LIMIT 50"
        ))
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(CaptureRow::summary).collect())
    }

    pub async fn get(&self, id: i64) -> Result<Option<CaptureDetail>> {
        let row: Option<CaptureRow> = sqlx::query_as("SELECT * FROM captures WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.detail()))
    }

    pub async fn details(&self, ids: &[i64]) -> Result<Vec<CaptureDetail>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(detail) = self.get(*id).await? {
                out.push(detail);
            }
        }
        Ok(out)
    }

    pub async fn delete(&self, ids: &[i64]) -> Result<u64> {
        let mut removed = 0;
        let mut tx = self.pool.begin().await?;
        for id in ids {
            removed += sqlx::query("DELETE FROM captures WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        self.shared
            .count
            .fetch_sub(removed as i64, Ordering::SeqCst);
        Ok(removed)
    }

    pub async fn clear(&self) -> Result<u64> {
        let removed = sqlx::query("DELETE FROM captures")
            .execute(&self.pool)
            .await?
            .rows_affected();
        self.shared
            .count
            .fetch_sub(removed as i64, Ordering::SeqCst);
        Ok(removed)
    }

    /// How many captures the file holds, without a query.
    pub fn stored(&self) -> u64 {
        self.shared.count.load(Ordering::SeqCst).max(0) as u64
    }

    pub async fn count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM captures")
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }

    /// Whether an event from the tunnel is already captured (a resumed stream may repeat
    /// the events after the last ack).
    pub async fn has_event(&self, event_id: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM captures WHERE source = 'tunnel' AND event_id = ?",
        )
        .bind(event_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    pub async fn get_meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES (?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// A connection of the writer's or the checkpointer's own. The file is already in WAL mode
/// (set when the pool opened it, and kept in the file).
fn open_connection(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let connection = rusqlite::Connection::open(path)?;
    connection.busy_timeout(Duration::from_secs(5))?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "journal_size_limit", WAL_KEPT_BYTES)?;
    Ok(connection)
}

/// The size the write-ahead log file is cut back to when it starts over, so a burst does
/// not leave a large `-wal` file beside the database.
const WAL_KEPT_BYTES: i64 = 8 * 1024 * 1024;
/// While captures keep arriving, the checkpointer copies pages but seldom reaches the end
/// of the log (the writer appends while it copies), and SQLite starts the log over only
/// once a checkpoint has. At this many pages (16 MiB) the writer checkpoints after its own
/// commit, which reaches the end, so the log starts over and stays under that through a
/// burst of any length. A reader holding an old snapshot holds back every checkpoint.
const WAL_BACKSTOP_PAGES: i64 = 4_000;
/// The least time between two of the checkpointer's checkpoints, so one copies many
/// batches' pages at once.
const CHECKPOINT_SPACING: Duration = Duration::from_millis(100);
/// How many more times the checkpointer tries, [`CHECKPOINT_SPACING`] apart, when a
/// checkpoint stopped short of the end of the log (a reader held it back, or the writer went
/// on) and no commit wakes it: for about 2 s after the last write.
const CHECKPOINT_RETRIES: u32 = 20;

/// Copies committed pages from the write-ahead log into the file on a thread of its own,
/// while the writer goes on appending. When the committing writer did it (SQLite's
/// default), the receiver ran at 0.38-0.43x a bare server, and at 0.56-0.60x with no
/// checkpoints at all. Woken by the writer after a commit; ends with the writer.
fn run_checkpointer(connection: rusqlite::Connection, wanted: flume::Receiver<()>) {
    let mut retries_left = 0;
    loop {
        if retries_left == 0 {
            if wanted.recv().is_err() {
                return;
            }
        } else if wanted.is_disconnected() {
            return;
        }
        // The row is (busy, pages in the log, pages copied).
        let short = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok(row.get::<_, i64>(2)? < row.get::<_, i64>(1)?)
        });
        let short = short.unwrap_or_else(|error| {
            tracing::warn!(%error, "checkpointing the capture store failed; retrying after the next write");
            false
        });
        retries_left = match (short, retries_left) {
            (false, _) => 0,
            (true, 0) => CHECKPOINT_RETRIES,
            (true, left) => left - 1,
        };
        std::thread::sleep(CHECKPOINT_SPACING);
    }
}

/// Starts the writer and its checkpointer, each with its own connection to `path`.
fn start_writer(path: &Path, shared: Arc<Shared>) -> Result<flume::Sender<Job>> {
    let failed = |message: String| CaptureError::Open {
        path: path.display().to_string(),
        message,
    };
    let open = |role: &str| open_connection(path).map_err(|e| failed(format!("{role}: {e}")));
    let writer = open("the writer's connection")?;
    writer
        .pragma_update(None, "wal_autocheckpoint", WAL_BACKSTOP_PAGES)
        .map_err(|e| failed(format!("the writer's connection: {e}")))?;
    let checkpointer = open("the checkpointer's connection")?;
    let (checkpoint, wanted) = flume::bounded(1);
    let (jobs_in, jobs) = flume::bounded(4096);
    let spawn = |name: &str, run: Box<dyn FnOnce() + Send>| {
        std::thread::Builder::new()
            .name(name.into())
            .spawn(run)
            .map(drop)
            .map_err(|e| failed(format!("cannot start the {name} thread: {e}")))
    };
    spawn(
        "inspector-checkpoint",
        Box::new(move || run_checkpointer(checkpointer, wanted)),
    )?;
    spawn(
        "inspector-writer",
        Box::new(move || run_writer(writer, jobs, checkpoint, shared)),
    )?;
    Ok(jobs_in)
}

/// The one writer, on a thread of its own with its own connection: a capture is bound and
/// stepped on this thread, with no hand-off to a runtime or a pool worker per statement.
/// It ends when the last handle of the store is dropped.
fn run_writer(
    mut connection: rusqlite::Connection,
    jobs: flume::Receiver<Job>,
    checkpoint: flume::Sender<()>,
    shared: Arc<Shared>,
) {
    // Whether pruning left work for the next turn; then the writer does not wait for jobs.
    let mut backlog = true;
    let mut last_age_check: Option<Instant> = None;
    loop {
        let next = if backlog {
            match jobs.try_recv() {
                Ok(job) => Some(job),
                Err(flume::TryRecvError::Empty) => None,
                Err(flume::TryRecvError::Disconnected) => return,
            }
        } else {
            match jobs.recv_timeout(AGE_CHECK) {
                Ok(job) => Some(job),
                Err(flume::RecvTimeoutError::Timeout) => None,
                Err(flume::RecvTimeoutError::Disconnected) => return,
            }
        };
        let mut asked = false;
        let mut batch = Vec::new();
        match next {
            Some(Job::Write(job)) => batch.push(*job),
            Some(Job::Prune) => asked = true,
            None => {}
        }
        while !batch.is_empty() && batch.len() < BATCH {
            match jobs.try_recv() {
                Ok(Job::Write(job)) => batch.push(*job),
                Ok(Job::Prune) => asked = true,
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            write_batch(&mut connection, batch, &shared);
            // A wake-up already pending covers this batch too.
            let _ = checkpoint.try_send(());
        }
        let check_age = asked || last_age_check.is_none_or(|at| at.elapsed() >= AGE_CHECK);
        if check_age {
            last_age_check = Some(Instant::now());
        }
        backlog = match prune(&connection, &shared, check_age) {
            Ok(more) => more,
            Err(error) => {
                tracing::warn!(%error, "pruning old captures failed; retrying with the next batch");
                false
            }
        };
    }
}

fn write_batch(connection: &mut rusqlite::Connection, batch: Vec<WriteJob>, shared: &Shared) {
    match insert_batch(connection, &batch) {
        Ok(ids) => {
            shared.count.fetch_add(batch.len() as i64, Ordering::SeqCst);
            for (job, id) in batch.into_iter().zip(ids) {
                let _ = job.done.send(Ok(id));
            }
        }
        Err(error) => {
            let message = error.to_string();
            for job in batch {
                let _ = job.done.send(Err(CaptureError::Write(message.clone())));
            }
        }
    }
}

/// Inserts a batch in one transaction with one prepared statement, kept across batches.
fn insert_batch(
    connection: &mut rusqlite::Connection,
    batch: &[WriteJob],
) -> rusqlite::Result<Vec<i64>> {
    let tx = connection.transaction()?;
    let mut ids = Vec::with_capacity(batch.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO captures (source, received_at, method, path, headers, body, body_size,
                 response_status, event_id, event_type, scheme, signature_valid, verdict, note,
                 masked)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        for job in batch {
            let (c, e) = (&job.capture, &job.encoded);
            ids.push(insert.insert(rusqlite::params![
                c.source.as_str(),
                c.received_at.timestamp_millis(),
                c.method,
                c.path,
                e.headers,
                c.body,
                c.body_size.min(i64::MAX as u64) as i64,
                c.response_status,
                c.event_id,
                c.event_type,
                e.scheme,
                c.verdict.as_ref().map(|v| v.valid),
                e.verdict,
                c.note,
                e.masked,
            ])?);
        }
    }
    tx.commit()?;
    Ok(ids)
}

/// One bounded step of the retention: the oldest captures beyond the kept count, then
/// (when `check_age`, at most once a minute unless asked) those past the kept age among
/// the oldest ones. Ids grow with arrival, so the oldest captures are found from the start
/// of the primary key without an index on time. Returns whether more is left to delete.
fn prune(
    connection: &rusqlite::Connection,
    shared: &Shared,
    check_age: bool,
) -> rusqlite::Result<bool> {
    let retention = shared.retention();
    let mut more = false;
    let excess = shared.count.load(Ordering::SeqCst) - retention.max_captures as i64;
    if excess > 0 {
        let removed = connection
            .prepare_cached(
                "DELETE FROM captures WHERE id IN (SELECT id FROM captures ORDER BY id LIMIT ?)",
            )?
            .execute([excess.min(PRUNE_CHUNK)])?;
        shared.count.fetch_sub(removed as i64, Ordering::SeqCst);
        more |= excess > PRUNE_CHUNK;
    }
    if check_age {
        // Now and then the count is read again, so no drift can ever cost a capture.
        let count: i64 =
            connection.query_row("SELECT COUNT(*) FROM captures", [], |row| row.get(0))?;
        shared.count.store(count, Ordering::SeqCst);
        let cutoff = Utc::now() - chrono::Duration::days(i64::from(retention.max_age_days));
        let removed = connection.execute(
            "DELETE FROM captures WHERE id IN (
                 SELECT id FROM (SELECT id, received_at FROM captures ORDER BY id LIMIT ?1)
                 WHERE received_at < ?2)",
            rusqlite::params![PRUNE_CHUNK, cutoff.timestamp_millis()],
        )?;
        shared.count.fetch_sub(removed as i64, Ordering::SeqCst);
        more |= removed as i64 == PRUNE_CHUNK;
    }
    Ok(more)
}

/// Masks the credential headers of captures stored before they were masked on the way in,
/// once per file, then checkpoints so the raw values leave the write-ahead log too.
async fn mask_earlier_captures(pool: &SqlitePool, key: &CredentialKey) -> Result<()> {
    let done: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
        .bind(MASKED_SINCE)
        .fetch_optional(pool)
        .await?;
    if done.is_some() {
        return Ok(());
    }
    let named = crate::credentials::CREDENTIAL_HEADERS
        .iter()
        .map(|name| format!("instr(lower(headers), '\"{name}\"') > 0"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT id, headers FROM captures WHERE masked = '[]' AND ({named})"
    ))
    .fetch_all(pool)
    .await?;
    let mut connection = pool.acquire().await?;
    sqlx::query("PRAGMA secure_delete = ON")
        .execute(&mut *connection)
        .await?;
    let mut tx = sqlx::Connection::begin(&mut *connection).await?;
    for (id, headers) in rows {
        let mut headers: Vec<(String, String)> = serde_json::from_str(&headers).unwrap_or_default();
        let masked = mask_headers(&mut headers, key);
        if masked.is_empty() {
            continue;
        }
        sqlx::query("UPDATE captures SET headers = ?, masked = ? WHERE id = ?")
            .bind(serde_json::to_string(&headers).unwrap_or_else(|_| "[]".into()))
            .bind(serde_json::to_string(&masked).unwrap_or_else(|_| "[]".into()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")
        .bind(MASKED_SINCE)
        .bind(Utc::now().to_rfc3339())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut *connection)
        .await?;
    sqlx::query("PRAGMA secure_delete = OFF")
        .execute(&mut *connection)
        .await?;
    Ok(())
}
