//! Webhook delivery: signed POSTs to each subscribed endpoint, retried on a schedule, every
//! attempt recorded.
//!
//! One worker per endpoint sends that endpoint's due deliveries one at a time in event
//! order, so a receiver sees events in the order they happened; a failed delivery waits
//! for its retry without holding back the events after it. All state is in SQLite: a
//! restart resumes every pending delivery where it was, and an attempt cut off by the
//! restart is made again (at least once, as webhook receivers expect).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use botbat_api::{AttemptTrigger, Delivery, DeliveryAttempt, DeliveryStatus, Page};
use botbat_webhooks::standard;
use sqlx::FromRow;

use crate::clock::from_ms;
use crate::error::{Result, SandboxError};
use crate::event_log::EventRow;
use crate::pagination::Listing;
use crate::state::AppState;

/// The production schedule: the first attempt at once, then these waits (DESIGN.md).
pub const STANDARD_SCHEDULE: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// `--retry-schedule fast`: the same eight attempts within about half a minute.
pub const FAST_SCHEDULE: [Duration; 7] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(3),
    Duration::from_secs(4),
    Duration::from_secs(5),
    Duration::from_secs(6),
    Duration::from_secs(6),
];

pub const TIMEOUT: Duration = Duration::from_secs(15);
/// How much of a response body an attempt reads and keeps.
const RESPONSE_BODY_LIMIT: usize = 4096;
const USER_AGENT: &str = "BotBat-Webhooks/1.0";

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(USER_AGENT)
        .build()
        .unwrap_or_default()
}

/// The dispatcher's shortest and longest sleep between looks at the due deliveries.
const DISPATCH_MIN_WAIT_MS: i64 = 250;
const DISPATCH_MAX_WAIT_MS: i64 = 30_000;

/// Starts a worker for every endpoint with a due delivery, whenever woken (a new event, a
/// redelivery, an advanced clock) and when the next pending delivery falls due, at most a
/// quarter second apart while any is pending. An idle sandbox is not woken four times a
/// second for nothing: the console embeds it, and its idle CPU is the user's.
pub async fn run_dispatcher(state: AppState) {
    loop {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'",
        )
        .fetch_one(&state.db)
        .await
        .unwrap_or(Some(0));
        let wait_ms = next.map_or(DISPATCH_MAX_WAIT_MS, |at| {
            (at - state.clock.now_ms()).clamp(DISPATCH_MIN_WAIT_MS, DISPATCH_MAX_WAIT_MS)
        });
        tokio::select! {
            _ = state.bus.dispatch.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(wait_ms.unsigned_abs())) => {}
        }
        let due: Vec<String> = match sqlx::query_scalar(
            "SELECT DISTINCT webhook_id FROM deliveries
             WHERE status = 'pending' AND next_attempt_at <= ?",
        )
        .bind(state.clock.now_ms())
        .fetch_all(&state.db)
        .await
        {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "cannot read due deliveries");
                continue;
            }
        };
        for webhook_id in due {
            if state.in_flight.claim(&webhook_id) {
                tokio::spawn(run_worker(state.clone(), webhook_id));
            }
        }
    }
}

/// Sends an endpoint's due deliveries one at a time, in event order, writing the attempts
/// of each batch in one transaction. After a 410 the batch stops: the endpoint is
/// disabled before anything else is sent to it.
async fn run_worker(state: AppState, webhook_id: String) {
    loop {
        let due = match due_for(&state, &webhook_id, 50).await {
            Ok(due) if !due.is_empty() => due,
            Ok(_) => break,
            Err(error) => {
                tracing::warn!(%error.message, "cannot read the next deliveries");
                break;
            }
        };
        let mut records = Vec::with_capacity(due.len());
        for context in due {
            let record = perform(&state, context, None).await;
            let gone = record.gone;
            records.push(record);
            if gone {
                break;
            }
        }
        if let Err(error) = save(&state, &records).await {
            tracing::warn!(%error.message, %webhook_id, "delivery attempts not recorded");
            break;
        }
    }
    state.in_flight.release(&webhook_id);
    // A delivery that became due while this worker was finishing is picked up now.
    state.bus.dispatch.notify_one();
}

#[derive(Debug, FromRow)]
struct DeliveryRow {
    id: String,
    webhook_id: String,
    event_seq: i64,
    status: DeliveryStatus,
    next_attempt_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

#[derive(Debug, FromRow)]
struct EndpointRow {
    url: Option<String>,
    enabled: Option<bool>,
    secret: Option<String>,
    previous_secret: Option<String>,
    previous_secret_expires_at: Option<i64>,
}

/// Everything one attempt needs, read in one query.
#[derive(Debug, FromRow)]
struct AttemptContext {
    delivery_id: String,
    webhook_id: String,
    status: DeliveryStatus,
    next_attempt_at: Option<i64>,
    #[sqlx(flatten)]
    event: EventRow,
    #[sqlx(flatten)]
    endpoint: EndpointRow,
    endpoint_exists: bool,
    scheduled: i64,
    made: i64,
}

#[derive(Debug, FromRow)]
struct AttemptRow {
    number: i64,
    trigger: AttemptTrigger,
    at: i64,
    request_headers: sqlx::types::Json<BTreeMap<String, String>>,
    response_status: Option<i64>,
    response_body: Option<String>,
    latency_ms: Option<i64>,
    error: Option<String>,
}

impl AttemptRow {
    fn to_api(&self) -> DeliveryAttempt {
        DeliveryAttempt {
            number: self.number.max(0) as u32,
            trigger: self.trigger,
            at: from_ms(self.at),
            request_headers: self.request_headers.0.clone(),
            response_status: self.response_status.map(|s| s as u16),
            response_body: self.response_body.clone(),
            latency_ms: self.latency_ms.map(|l| l.max(0) as u64),
            error: self.error.clone(),
        }
    }
}

/// The secrets that sign now: the current one, and the previous one during its overlap.
fn signing_secrets(endpoint: &EndpointRow, now_ms: i64) -> Vec<&str> {
    let mut secrets = vec![endpoint.secret.as_deref().unwrap_or_default()];
    if let (Some(previous), Some(until)) = (
        &endpoint.previous_secret,
        endpoint.previous_secret_expires_at,
    ) {
        if until > now_ms {
            secrets.push(previous);
        }
    }
    secrets
}

/// The headers a delivery of `event_id` with `body` carries, signed at the current wall
/// time (receivers compare it with their own clock, not the sandbox's).
pub fn signed_headers(secrets: &[&str], event_id: &str, body: &str) -> BTreeMap<String, String> {
    let timestamp = chrono::Utc::now().timestamp();
    BTreeMap::from([
        (standard::ID_HEADER.to_string(), event_id.to_string()),
        (
            standard::TIMESTAMP_HEADER.to_string(),
            timestamp.to_string(),
        ),
        (
            standard::SIGNATURE_HEADER.to_string(),
            standard::sign(secrets, event_id, timestamp, body.as_bytes()),
        ),
        ("content-type".to_string(), "application/json".to_string()),
    ])
}

struct Outcome {
    status: Option<u16>,
    body: Option<String>,
    latency_ms: Option<i64>,
    error: Option<String>,
}

async fn post(
    state: &AppState,
    url: &str,
    headers: &BTreeMap<String, String>,
    body: String,
) -> Outcome {
    let mut request = state.http.post(url).body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let started = Instant::now();
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            // Read up to the kept size and no further: an endpoint streaming an endless
            // body costs 4 KiB and ends the attempt.
            let (cut, _) =
                botbat_webhooks::forward::read_capped(response, RESPONSE_BODY_LIMIT).await;
            let latency_ms = started.elapsed().as_millis() as i64;
            let error = (!(200..300).contains(&status)).then(|| match status {
                410 => {
                    "410 Gone: the endpoint asked to stop receiving; it is now disabled".to_string()
                }
                _ => format!("the endpoint answered {status}; only 2xx counts as delivered"),
            });
            Outcome {
                status: Some(status),
                body: Some(String::from_utf8_lossy(&cut).into_owned()),
                latency_ms: Some(latency_ms),
                error,
            }
        }
        Err(error) => {
            let latency_ms = started.elapsed().as_millis() as i64;
            let reason = if error.is_timeout() {
                format!("no answer within {} s (timeout)", TIMEOUT.as_secs())
            } else if error.is_connect() {
                format!("cannot connect to {url}: {}", root_cause(&error))
            } else {
                format!("request failed: {}", root_cause(&error))
            };
            Outcome {
                status: None,
                body: None,
                latency_ms: Some(latency_ms),
                error: Some(reason),
            }
        }
    }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// The columns of one attempt's context; joined from the delivery, its event and its
/// endpoint (which may be gone).
const CONTEXT: &str = "SELECT d.id AS delivery_id, d.webhook_id, d.status, d.next_attempt_at,
        e.seq, e.id, e.type, e.created_at, e.data, e.force_failure,
        w.url, w.enabled, w.secret, w.previous_secret, w.previous_secret_expires_at,
        w.id IS NOT NULL AS endpoint_exists,
        (SELECT COUNT(*) FROM delivery_attempts a
          WHERE a.delivery_id = d.id AND a.trigger != 'resend') AS scheduled,
        (SELECT COUNT(*) FROM delivery_attempts a WHERE a.delivery_id = d.id) AS made
 FROM deliveries d
 JOIN events e ON e.seq = d.event_seq
 LEFT JOIN webhooks w ON w.id = d.webhook_id";

/// Makes one attempt of a delivery now and records it. `trigger` is `Some(Resend)` for a
/// resend; otherwise it is the first attempt or a retry, decided by the attempts so far.
pub async fn attempt(
    state: &AppState,
    delivery_id: &str,
    trigger: Option<AttemptTrigger>,
) -> Result<()> {
    let context: AttemptContext = sqlx::query_as(&format!("{CONTEXT} WHERE d.id = ?"))
        .bind(delivery_id)
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(|| SandboxError::not_found("delivery", delivery_id))?;
    let record = perform(state, context, trigger).await;
    save(state, &[record]).await
}

/// Up to `limit` of an endpoint's due deliveries, oldest event first.
async fn due_for(state: &AppState, webhook_id: &str, limit: i64) -> Result<Vec<AttemptContext>> {
    Ok(sqlx::query_as(&format!(
        "{CONTEXT} WHERE d.webhook_id = ? AND d.status = 'pending' AND d.next_attempt_at <= ?
         ORDER BY d.seq LIMIT ?"
    ))
    .bind(webhook_id)
    .bind(state.clock.now_ms())
    .bind(limit)
    .fetch_all(&state.db)
    .await?)
}

/// An attempt made, waiting to be written.
struct AttemptRecord {
    delivery_id: String,
    webhook_id: String,
    number: i64,
    trigger: AttemptTrigger,
    at: i64,
    headers: BTreeMap<String, String>,
    outcome: Outcome,
    status: DeliveryStatus,
    next_attempt_at: Option<i64>,
    gone: bool,
}

fn not_sent(error: &str) -> Outcome {
    Outcome {
        status: None,
        body: None,
        latency_ms: None,
        error: Some(error.to_string()),
    }
}

/// Sends (or, for a deleted or disabled endpoint or a forced failure, does not send) one
/// attempt and decides what happens next.
async fn perform(
    state: &AppState,
    context: AttemptContext,
    trigger: Option<AttemptTrigger>,
) -> AttemptRecord {
    let AttemptContext {
        delivery_id,
        webhook_id,
        status: current_status,
        next_attempt_at: current_next,
        event,
        endpoint,
        endpoint_exists,
        scheduled,
        made,
    } = context;
    let trigger = trigger.unwrap_or(if scheduled == 0 {
        AttemptTrigger::Event
    } else {
        AttemptTrigger::Retry
    });
    let now = state.clock.now_ms();
    let (headers, outcome, stop) = if !endpoint_exists {
        (
            BTreeMap::new(),
            not_sent("the endpoint was deleted; nothing was sent"),
            true,
        )
    } else if endpoint.enabled != Some(true) && trigger != AttemptTrigger::Resend {
        (
            BTreeMap::new(),
            not_sent("the endpoint is disabled; nothing was sent (resend to send anyway)"),
            true,
        )
    } else {
        let body = event.body(state.live);
        let headers = signed_headers(&signing_secrets(&endpoint, now), &event.id, &body);
        let outcome = if event.force_failure && trigger == AttemptTrigger::Event {
            not_sent(
                "forced failure from the Event Simulator: this attempt was not sent; the retries are real",
            )
        } else {
            post(
                state,
                endpoint.url.as_deref().unwrap_or_default(),
                &headers,
                body,
            )
            .await
        };
        (headers, outcome, false)
    };

    let succeeded = outcome.status.is_some_and(|s| (200..300).contains(&s));
    let gone = outcome.status == Some(410);
    let attempts_made = scheduled + i64::from(trigger != AttemptTrigger::Resend);
    let (status, next_attempt_at) = if succeeded {
        (DeliveryStatus::Succeeded, None)
    } else if gone || stop {
        (DeliveryStatus::Failed, None)
    } else if trigger == AttemptTrigger::Resend {
        // A failed resend leaves the delivery where the schedule had it.
        (current_status, current_next)
    } else {
        match state.retry_schedule.get(attempts_made as usize - 1) {
            Some(wait) => (
                DeliveryStatus::Pending,
                Some(state.clock.now_ms() + wait.as_millis() as i64),
            ),
            None => (DeliveryStatus::Failed, None),
        }
    };
    AttemptRecord {
        delivery_id,
        webhook_id,
        number: made + 1,
        trigger,
        at: now,
        headers,
        outcome,
        status,
        next_attempt_at,
        gone,
    }
}

/// Writes attempts and their deliveries' new state in one transaction.
async fn save(state: &AppState, records: &[AttemptRecord]) -> Result<()> {
    let mut tx = state.db.begin().await?;
    for record in records {
        sqlx::query(
            "INSERT INTO delivery_attempts
                 (delivery_id, number, trigger, at, request_headers, response_status, response_body, latency_ms, error)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&record.delivery_id)
        .bind(record.number)
        .bind(record.trigger)
        .bind(record.at)
        .bind(sqlx::types::Json(&record.headers))
        .bind(record.outcome.status.map(i64::from))
        .bind(&record.outcome.body)
        .bind(record.outcome.latency_ms)
        .bind(&record.outcome.error)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE deliveries SET status = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
        )
        .bind(record.status)
        .bind(record.next_attempt_at)
        .bind(state.clock.now_ms())
        .bind(&record.delivery_id)
        .execute(&mut *tx)
        .await?;
        if record.gone {
            sqlx::query(
                "UPDATE webhooks SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ?",
            )
            .bind(format!(
                "Disabled at {}: the endpoint answered 410 Gone to delivery {}.",
                from_ms(record.at).to_rfc3339(),
                record.delivery_id
            ))
            .bind(record.at)
            .bind(&record.webhook_id)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A delivery with its attempts, as the API shows it.
pub async fn load(state: &AppState, webhook_id: &str, delivery_id: &str) -> Result<Delivery> {
    let delivery: DeliveryRow =
        sqlx::query_as("SELECT * FROM deliveries WHERE id = ? AND webhook_id = ?")
            .bind(delivery_id)
            .bind(webhook_id)
            .fetch_optional(&state.db)
            .await?
            .ok_or_else(|| SandboxError::not_found("delivery", delivery_id))?;
    let mut list = to_api(state, vec![delivery]).await?;
    list.pop()
        .ok_or_else(|| SandboxError::internal("a loaded delivery vanished"))
}

/// A page of an endpoint's deliveries, each with its event and attempts.
pub async fn page(state: &AppState, list: Listing<'_>) -> Result<Page<Delivery>> {
    let mut listed = list.fetch::<DeliveryRow>(&state.db).await?;
    let deliveries = to_api(state, std::mem::take(&mut listed.rows)).await?;
    Ok(listed.with_data(deliveries))
}

async fn to_api(state: &AppState, rows: Vec<DeliveryRow>) -> Result<Vec<Delivery>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let event: EventRow = sqlx::query_as("SELECT * FROM events WHERE seq = ?")
            .bind(row.event_seq)
            .fetch_one(&state.db)
            .await?;
        let attempts: Vec<AttemptRow> = sqlx::query_as(
            "SELECT number, trigger, at, request_headers, response_status, response_body, latency_ms, error
             FROM delivery_attempts WHERE delivery_id = ? ORDER BY id",
        )
        .bind(&row.id)
        .fetch_all(&state.db)
        .await?;
        out.push(Delivery {
            id: row.id.clone(),
            webhook_id: row.webhook_id.clone(),
            event_id: event.id.clone(),
            event_type: event.event_type.clone(),
            status: row.status,
            next_attempt_at: row.next_attempt_at.map(from_ms),
            request_body: event.body(state.live),
            attempts: attempts.iter().map(AttemptRow::to_api).collect(),
            created_at: from_ms(row.created_at),
            updated_at: from_ms(row.updated_at),
        });
    }
    Ok(out)
}
