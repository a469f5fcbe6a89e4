//! Metering of every authenticated request.
//!
//! Requests hand their record to a queue; one writer task batches records into a single
//! transaction, and updates each key's `last_used_at` in the same transaction. That keeps
//! the database write off the request path (the benchmark figure in the README), and
//! `flush` gives readers of the log read-your-writes consistency.
//!
//! Nothing is dropped on the way. The queue is bounded, so when the writer falls behind,
//! requests wait for room (backpressure) instead of memory growing without limit, and a
//! batch whose transaction fails (the database locked past its busy timeout, a full disk) is
//! retried with backoff. Only a batch that still fails after [`WRITE_ATTEMPTS`] is given up,
//! and that is logged as an error with the number of rows lost.

use std::collections::HashMap;
use std::time::Duration;

use sqlx::{QueryBuilder, Sqlite, SqlitePool};
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
    /// Sent by the console for itself (see [`botbat_api::is_console_user_agent`]).
    pub console: bool,
}

enum Message {
    Record(UsageRow),
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct Meter {
    tx: mpsc::Sender<Message>,
}

/// Records waiting for the writer before requests are held back.
const QUEUE: usize = 8_192;
const MAX_BATCH: usize = 2_000;
/// Rows per INSERT statement: 10 parameters each, far below SQLite's 32,766.
const ROWS_PER_INSERT: usize = 250;
/// Tries of one batch's transaction; the waits between them double from 50 ms to 5 s, so a
/// batch is given up only after about a minute of failures (each try may also wait out the
/// database's 5 s busy timeout).
const WRITE_ATTEMPTS: u32 = 12;
const FIRST_RETRY: Duration = Duration::from_millis(50);
const MAX_RETRY: Duration = Duration::from_secs(5);

impl Meter {
    /// Starts the writer; it ends after every `Meter` clone is dropped and the queue is
    /// written out.
    pub fn start(db: SqlitePool) -> (Meter, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let handle = tokio::spawn(writer(db, rx));
        (Meter { tx }, handle)
    }

    /// Queues a record, waiting for room while the queue is full.
    pub async fn record(&self, row: UsageRow) {
        if self.tx.send(Message::Record(row)).await.is_err() {
            tracing::error!("usage writer has stopped; a request was not metered");
        }
    }

    /// Waits until everything recorded before this call is in the database.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

async fn writer(db: SqlitePool, mut rx: mpsc::Receiver<Message>) {
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
            write_with_retries(&db, &batch).await;
            batch.clear();
        }
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
    }
}

async fn write_with_retries(db: &SqlitePool, batch: &[UsageRow]) {
    let mut wait = FIRST_RETRY;
    for attempt in 1..=WRITE_ATTEMPTS {
        match write_batch(db, batch).await {
            Ok(()) => {
                if attempt > 1 {
                    tracing::info!(rows = batch.len(), attempt, "usage records written");
                }
                return;
            }
            Err(error) if attempt < WRITE_ATTEMPTS => {
                tracing::warn!(%error, rows = batch.len(), attempt, ?wait, "could not write usage records; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(MAX_RETRY);
            }
            Err(error) => {
                tracing::error!(%error, rows = batch.len(), "usage records lost: the database refused them {WRITE_ATTEMPTS} times");
            }
        }
    }
}

async fn write_batch(db: &SqlitePool, batch: &[UsageRow]) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    // One statement per chunk rather than per row: each statement is a round trip to the
    // connection's thread, which is most of what a row costs.
    for chunk in batch.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO usage_requests (time, key_id, method, route, status, latency_us, rate_limited, retry_after, request_id, console) ",
        );
        insert.push_values(chunk, |mut values, row| {
            values
                .push_bind(row.time_ms)
                .push_bind(&row.key_id)
                .push_bind(&row.method)
                .push_bind(&row.route)
                .push_bind(row.status as i64)
                .push_bind(row.latency_us)
                .push_bind(row.rate_limited)
                .push_bind(row.retry_after.map(|s| s as i64))
                .push_bind(&row.request_id)
                .push_bind(row.console);
        });
        insert.build().execute(&mut *tx).await?;
    }
    let mut last_used: HashMap<&str, i64> = HashMap::new();
    for row in batch {
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
