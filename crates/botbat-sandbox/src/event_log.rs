//! The event log, apart from HTTP: every state change is written once, in order, and
//! handed to webhook delivery (`delivery.rs`) and to listen sessions (`routes/listen.rs`).
//! Every resource emits through it; `routes/events.rs` only reads it and serves the Event
//! Simulator.
//!
//! An event and its delivery rows (one per subscribed, enabled endpoint) are written in one
//! transaction, so a restart can lose neither. Changes that happen later on the sandbox
//! clock (a message's next steps) are written ahead into `scheduled_events` with their data
//! already rendered; the scheduler emits them when the clock reaches them, so advancing the
//! clock, or restarting, emits each exactly once.

use std::time::Duration;

use botbat_api::{Event, ALL_EVENTS};
use serde_json::Value;
use sqlx::{FromRow, Sqlite, Transaction};
use tokio::sync::{watch, Notify};

use crate::clock::from_ms;
use crate::error::Result;
use crate::ids;
use crate::state::AppState;

/// Wakes whoever waits for new events.
pub struct EventBus {
    /// The newest event's `seq`: listen sessions wait for it to change.
    latest: watch::Sender<i64>,
    /// Wakes the delivery dispatcher when deliveries become due.
    pub dispatch: Notify,
    /// Wakes the scheduler when something may have fallen due sooner than it planned: any
    /// new event (a submitted template, a scheduled or started campaign), an event written
    /// ahead, or the clock moved on.
    pub scheduler: Notify,
}

impl EventBus {
    pub fn new(latest: i64) -> Self {
        Self {
            latest: watch::Sender::new(latest),
            dispatch: Notify::new(),
            scheduler: Notify::new(),
        }
    }

    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.latest.subscribe()
    }

    fn published(&self, seq: i64) {
        self.latest.send_if_modified(|latest| {
            let newer = seq > *latest;
            if newer {
                *latest = seq;
            }
            newer
        });
        self.dispatch.notify_one();
        self.scheduler.notify_one();
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub seq: i64,
    pub id: String,
    #[sqlx(rename = "type")]
    pub event_type: String,
    pub created_at: i64,
    pub data: sqlx::types::Json<Value>,
    pub force_failure: bool,
}

impl EventRow {
    pub fn to_api(&self, livemode: bool) -> Event {
        Event {
            id: self.id.clone(),
            event_type: self.event_type.clone(),
            created_at: from_ms(self.created_at),
            livemode,
            data: self.data.0.clone(),
        }
    }

    /// The exact bytes every delivery of this event sends.
    pub fn body(&self, livemode: bool) -> String {
        serde_json::to_string(&self.to_api(livemode)).unwrap_or_default()
    }
}

/// Whether an endpoint subscribed to `types` receives `event_type`.
pub fn subscribed(types: &[String], event_type: &str) -> bool {
    types.iter().any(|t| t == ALL_EVENTS || t == event_type)
}

/// Records an event that happens now.
pub async fn emit(state: &AppState, event_type: &str, data: &impl serde::Serialize) -> Result<()> {
    let data = serde_json::to_value(data).unwrap_or(Value::Null);
    record(state, event_type, &data, false).await?;
    Ok(())
}

/// Records an event that happens now; `force_failure` (the Event Simulator's option) makes
/// the first delivery attempt to each endpoint fail without being sent.
pub async fn record(
    state: &AppState,
    event_type: &str,
    data: &Value,
    force_failure: bool,
) -> Result<EventRow> {
    let mut tx = state.db.begin().await?;
    let row = insert(
        &mut tx,
        state,
        event_type,
        state.clock.now_ms(),
        data,
        force_failure,
    )
    .await?;
    tx.commit().await?;
    state.bus.published(row.seq);
    Ok(row)
}

async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    state: &AppState,
    event_type: &str,
    at: i64,
    data: &Value,
    force_failure: bool,
) -> Result<EventRow> {
    let row: EventRow = sqlx::query_as(
        "INSERT INTO events (id, type, created_at, data, force_failure) VALUES (?, ?, ?, ?, ?)
         RETURNING *",
    )
    .bind(ids::event_id())
    .bind(event_type)
    .bind(at)
    .bind(sqlx::types::Json(data))
    .bind(force_failure)
    .fetch_one(&mut **tx)
    .await?;
    let endpoints: Vec<(String, sqlx::types::Json<Vec<String>>)> =
        sqlx::query_as("SELECT id, event_types FROM webhooks WHERE enabled = 1")
            .fetch_all(&mut **tx)
            .await?;
    let now = state.clock.now_ms();
    for (webhook_id, types) in endpoints {
        if !subscribed(&types, event_type) {
            continue;
        }
        sqlx::query(
            "INSERT INTO deliveries (id, webhook_id, event_seq, status, next_attempt_at, created_at, updated_at)
             VALUES (?, ?, ?, 'pending', ?, ?, ?)",
        )
        .bind(ids::delivery_id())
        .bind(&webhook_id)
        .bind(row.seq)
        .bind(now)
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(row)
}

/// Writes an event ahead, to be emitted when the sandbox clock reaches `due_at`.
pub async fn schedule(
    state: &AppState,
    event_type: &str,
    subject_id: &str,
    due_at: i64,
    data: &impl serde::Serialize,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO scheduled_events (type, subject_id, due_at, data) VALUES (?, ?, ?, ?)",
    )
    .bind(event_type)
    .bind(subject_id)
    .bind(due_at)
    .bind(
        serde_json::to_value(data)
            .unwrap_or(Value::Null)
            .to_string(),
    )
    .execute(&state.db)
    .await?;
    state.bus.scheduler.notify_one();
    Ok(())
}

#[derive(Debug, FromRow)]
struct ScheduledRow {
    seq: i64,
    #[sqlx(rename = "type")]
    event_type: String,
    due_at: i64,
    data: sqlx::types::Json<Value>,
}

/// Emits every scheduled event that is due, oldest first; each is moved from
/// `scheduled_events` to `events` in one transaction.
pub async fn emit_due(state: &AppState) -> Result<usize> {
    let now = state.clock.now_ms();
    let due: Vec<ScheduledRow> = sqlx::query_as(
        "SELECT seq, type, due_at, data FROM scheduled_events WHERE due_at <= ?
         ORDER BY due_at, seq LIMIT 500",
    )
    .bind(now)
    .fetch_all(&state.db)
    .await?;
    let mut latest = None;
    for scheduled in &due {
        let mut tx = state.db.begin().await?;
        let removed = sqlx::query("DELETE FROM scheduled_events WHERE seq = ?")
            .bind(scheduled.seq)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed == 0 {
            continue;
        }
        let row = insert(
            &mut tx,
            state,
            &scheduled.event_type,
            scheduled.due_at,
            &scheduled.data,
            false,
        )
        .await?;
        tx.commit().await?;
        latest = Some(row.seq);
    }
    if let Some(seq) = latest {
        state.bus.published(seq);
    }
    Ok(due.len())
}

pub async fn latest_seq(db: &sqlx::SqlitePool) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events")
            .fetch_one(db)
            .await?,
    )
}

/// The scheduler's shortest pause between two looks at what is due, however often it is woken.
pub const TICK: Duration = Duration::from_millis(100);

/// The sandbox time (ms) of the next thing the scheduler has to do: a scheduled event, a
/// template review or a campaign's start. A campaign still sending counts as due now, so a
/// send that was interrupted is picked up again on the next look. `None` when nothing waits.
pub async fn next_due(db: &sqlx::SqlitePool) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MIN(at) FROM (
             SELECT MIN(due_at) AS at FROM scheduled_events
             UNION ALL SELECT MIN(review_due_at) FROM templates WHERE status = 'pending'
             UNION ALL SELECT MIN(send_at) FROM campaigns WHERE status = 'scheduled'
             UNION ALL SELECT CASE WHEN EXISTS (SELECT 1 FROM campaigns WHERE status = 'sending')
                 THEN 0 END
         )",
    )
    .fetch_one(db)
    .await?)
}
