//! Metering of every authenticated request.
//!
//! Requests hand their record to a channel and return at once; one writer task batches
//! records into a single transaction, and updates each key's `last_used_at` in the same
//! transaction. That keeps metering off the request path (the benchmark figure in the
//! README), and `flush` gives readers of the log read-your-writes consistency.

use std::collections::HashMap;

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

#[derive(Debug, Clone)]
pub struct UsageRow {
    pub time_ms: i64,
    pub key_id: String,
    pub method: String,
    pub route: String,
    pub status: u16,
    pub latency_us: i64,
    pub rate_limited: bool,
    pub retry_after: Option<u64>,
    pub request_id: Option<String>,
}

enum Message {
    Record(UsageRow),
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct Meter {
    tx: mpsc::UnboundedSender<Message>,
}

const MAX_BATCH: usize = 2_000;

impl Meter {
    /// Starts the writer; it ends after every `Meter` clone is dropped and the queue is
    /// written out.
    pub fn start(db: SqlitePool) -> (Meter, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let handle = tokio::spawn(writer(db, rx));
        (Meter { tx }, handle)
    }

    pub fn record(&self, row: UsageRow) {
        if self.tx.send(Message::Record(row)).is_err() {
            tracing::warn!("usage writer has stopped; a request was not metered");
        }
    }

    /// Waits until everything recorded before this call is in the database.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}

async fn writer(db: SqlitePool, mut rx: mpsc::UnboundedReceiver<Message>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut waiting = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Record(row) => batch.push(row),
                Message::Flush(done) => waiting.push(done),
            }
            if batch.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            if let Err(error) = write_batch(&db, &batch).await {
                tracing::error!(%error, rows = batch.len(), "could not write usage records");
            }
            batch.clear();
        }
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
    }
}

async fn write_batch(db: &SqlitePool, batch: &[UsageRow]) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    let mut last_used: HashMap<&str, i64> = HashMap::new();
    for row in batch {
        sqlx::query(
            "INSERT INTO usage_requests (time, key_id, method, route, status, latency_us, rate_limited, retry_after, request_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(row.time_ms)
        .bind(&row.key_id)
        .bind(&row.method)
        .bind(&row.route)
        .bind(row.status as i64)
        .bind(row.latency_us)
        .bind(row.rate_limited)
        .bind(row.retry_after.map(|s| s as i64))
        .bind(&row.request_id)
        .execute(&mut *tx)
        .await?;
        let entry = last_used.entry(row.key_id.as_str()).or_insert(row.time_ms);
        *entry = (*entry).max(row.time_ms);
    }
    for (key_id, time_ms) in last_used {
        sqlx::query(
            "UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE id = ?",
        )
        .bind(time_ms)
        .bind(key_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
