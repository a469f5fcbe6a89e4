//! One id, looked up everywhere the console keeps a trace of requests and events.
//!
//! A support engineer holds an id from an error message, a log line or a customer: a
//! request id (`req_…`) or an event id (`evt_…`, which is also the `webhook-id` a delivery
//! is signed with). [`find_id`] says where it appears in the active environment (the
//! platform's request log in the local usage cache, Try It's history, the Inspector's
//! captures, the webhook deliveries) in one answer the command palette can open. The
//! request log is synced once when a request id is not in it yet, since the id a user
//! pastes is usually seconds old. A source that cannot answer (no management key, offline)
//! is named in `unavailable` and the others still answer.

use botbat_api::{Delivery, ErrorCode, Event};
use botbat_webhooks::capture::CaptureSummary;
use serde::Serialize;
use ts_rs::TS;

use crate::tryit::{TryHistoryItem, TryIt};
use crate::usage::UsageLogRow;
use crate::{
    CommandError, Console, ConsoleCode, Environment, InspectorScope, Inspectors, UsageCache,
};

const MAX_ID_LEN: usize = 128;
/// How long a lookup waits for a sync already running: 40 × 250 ms.
const SYNC_WAIT_ROUNDS: u32 = 40;
const SYNC_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// A source that could not be searched, and why.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UnavailableSource {
    /// `request_log`, `history`, `captures` or `deliveries`.
    pub source: String,
    pub message: String,
}

/// Everywhere one id was found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IdLookup {
    /// The id searched for, trimmed.
    pub id: String,
    pub environment: Environment,
    pub requests: Vec<UsageLogRow>,
    pub history: Vec<TryHistoryItem>,
    pub captures: Vec<CaptureSummary>,
    pub deliveries: Vec<Delivery>,
    pub unavailable: Vec<UnavailableSource>,
}

/// Looks `id` up in every source of the active environment, or of the active connection.
pub async fn find_id(
    console: &Console,
    usage: &UsageCache,
    tryit: &TryIt,
    inspectors: &Inspectors,
    id: &str,
) -> Result<IdLookup, CommandError> {
    let id = id.trim();
    if id.is_empty()
        || id.len() > MAX_ID_LEN
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(CommandError::invalid_input(
            "id",
            "Paste one id: a request id (req_…) or an event id (evt_…), letters, digits, _ and - only.",
        ));
    }
    let environment = console.preferences().active_environment;
    let mut found = IdLookup {
        id: id.to_string(),
        environment,
        requests: Vec::new(),
        history: Vec::new(),
        captures: Vec::new(),
        deliveries: Vec::new(),
        unavailable: Vec::new(),
    };
    // With a Botbiz or Botmaker connection active, only its own history and captures are
    // searched: nothing of BotBat's shows while the panels show the connection.
    if let Some(connection) = console.preferences().active_connection {
        match tryit
            .connection_history_list(console, &connection, id)
            .await
        {
            Ok(items) => found.history = with_request_id(items, id),
            Err(error) => unavailable(&mut found.unavailable, "history", error),
        }
        match inspectors
            .captures_of_event(InspectorScope::Connection(connection), id)
            .await
        {
            Ok(captures) => found.captures = captures,
            Err(error) => unavailable(&mut found.unavailable, "captures", error),
        }
        return Ok(found);
    }
    match logged_requests(usage, environment, id).await {
        Ok(requests) => found.requests = requests,
        Err(error) => unavailable(&mut found.unavailable, "request_log", error),
    }
    match tryit.history_list(console, id).await {
        Ok(items) => found.history = with_request_id(items, id),
        Err(error) => unavailable(&mut found.unavailable, "history", error),
    }
    match inspectors.captures_of_event(environment, id).await {
        Ok(captures) => found.captures = captures,
        Err(error) => unavailable(&mut found.unavailable, "captures", error),
    }
    if id.starts_with("evt_") {
        match deliveries_of_event(console, environment, id).await {
            Ok(deliveries) => found.deliveries = deliveries,
            Err(error) => unavailable(&mut found.unavailable, "deliveries", error),
        }
    }
    Ok(found)
}

/// The history entries whose response carried request id `id` (a search also matches
/// other text).
fn with_request_id(items: Vec<TryHistoryItem>, id: &str) -> Vec<TryHistoryItem> {
    items
        .into_iter()
        .filter(|item| item.request_id.as_deref() == Some(id))
        .collect()
}

fn unavailable(unavailable: &mut Vec<UnavailableSource>, source: &str, error: CommandError) {
    unavailable.push(UnavailableSource {
        source: source.to_string(),
        message: error.message,
    });
}

/// The cached log first; a request id not in it yet costs one incremental sync.
async fn logged_requests(
    usage: &UsageCache,
    environment: Environment,
    id: &str,
) -> Result<Vec<UsageLogRow>, CommandError> {
    let store = usage.store(environment).await?;
    let mut row = store.find_request(id).await?;
    if row.is_none() && id.starts_with("req_") {
        // A sync already running (the dashboard's) is waited for, then ours reads the rest.
        for _ in 0..SYNC_WAIT_ROUNDS {
            match usage.sync(environment).await {
                Err(error) if error.code == ConsoleCode::SyncRunning => {
                    tokio::time::sleep(SYNC_WAIT).await
                }
                done => {
                    done?;
                    break;
                }
            }
        }
        row = store.find_request(id).await?;
    }
    Ok(row.into_iter().map(UsageLogRow::from).collect())
}

/// Every delivery of the event, at each endpoint subscribed to its type.
async fn deliveries_of_event(
    console: &Console,
    environment: Environment,
    id: &str,
) -> Result<Vec<Delivery>, CommandError> {
    let event: Event = match console
        .client(environment)
        .await?
        .get(&format!("/events/{id}"), &[])
        .await
    {
        Ok(response) => response.data,
        Err(error) if error.api().map(|e| e.code) == Some(ErrorCode::NotFound) => {
            return Ok(Vec::new())
        }
        Err(error) => return Err(error.into()),
    };
    Ok(console
        .event_deliveries(environment, &event)
        .await?
        .into_iter()
        .filter_map(|d| d.delivery)
        .collect())
}
