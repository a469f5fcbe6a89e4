//! `GET /v1/webhooks/listen`: the tunnel's server side. A console on a laptop receives
//! every event as a signed delivery over a WebSocket, with no public URL.
//!
//! The session reads events from the log by `seq`, never from an in-memory queue, so a
//! listener that reconnects with `?after=<last acked id>` gets exactly what it missed, in
//! order, however long it was away; heartbeats let it tell a quiet platform from a dead
//! connection.

use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use botbat_api::contract::parse_whole;
use botbat_api::{ErrorBody, ErrorCode, EventSubscription, ListenFrame, ListenQuery, ListenReply};
use futures::{SinkExt, StreamExt};

use crate::delivery::signed_headers;
use crate::error::{ApiQuery, Result, SandboxError};
use crate::event_log::{self, EventRow};
use crate::state::AppState;
use crate::{ids, rules};

const DEFAULT_HEARTBEAT: u32 = 15;
const BATCH: i64 = 200;

struct Session {
    after_seq: i64,
    resumed_after: Option<String>,
    types: Option<Vec<String>>,
    heartbeat: u32,
}

async fn parse(state: &AppState, query: &ListenQuery) -> Result<Session> {
    let heartbeat = match query.heartbeat_seconds.as_deref() {
        None => DEFAULT_HEARTBEAT,
        Some(raw) => match parse_whole(raw).and_then(|n| u32::try_from(n).ok()) {
            Some(n) if (1..=60).contains(&n) => n,
            _ => {
                return Err(SandboxError::field(
                    "heartbeat_seconds",
                    format!("must be a whole number from 1 to 60 (got {raw:?})"),
                ))
            }
        },
    };
    let types = match query.types.as_deref() {
        None => None,
        Some(list) => {
            let types: Vec<String> = list.split(',').map(str::to_string).collect();
            if let Some(bad) = types.iter().find(|t| !EventSubscription::is_valid(t)) {
                return Err(SandboxError::field(
                    "types",
                    format!("unknown event type {bad:?}; GET /v1/events/types lists them"),
                ));
            }
            Some(types)
        }
    };
    let after_seq = match query.after.as_deref() {
        None | Some("") => event_log::latest_seq(&state.db).await?,
        Some(id) => sqlx::query_scalar("SELECT seq FROM events WHERE id = ?")
            .bind(id)
            .fetch_optional(&state.db)
            .await?
            .ok_or_else(|| {
                SandboxError::new(
                    ErrorCode::NotFound,
                    format!("No event with id {id:?} to resume after (was the sandbox reset?); connect without `after` to start from now."),
                )
            })?,
    };
    Ok(Session {
        after_seq,
        resumed_after: query.after.clone().filter(|a| !a.is_empty()),
        types,
        heartbeat,
    })
}

/// Upgrades to a WebSocket that streams every event of the organisation as a signed
/// delivery: first a `ready` frame with the session's signing secret, then `event` frames
/// in order and a `heartbeat` every `heartbeat_seconds`. Reply to each event with
/// `{"type":"ack","event_id":…,"status":…}`. Reconnect with `after=<last acked id>` to
/// receive what was missed, once and in order.
#[utoipa::path(
    get, path = "/v1/webhooks/listen", tag = "Webhooks",
    params(ListenQuery),
    responses(
        (status = 101, description = "Switching to the WebSocket; frames are `ListenFrame`, replies `ListenReply`"),
        (status = 404, description = "not_found: `after` names no event (was the sandbox reset?); connect without it", body = ErrorBody),
        (status = 426, description = "upgrade_required: connect with a WebSocket client", body = ErrorBody),
    ),
    security(("bearer_key" = ["webhooks:manage"])),
    extensions(("x-runtime-rules" = json!([rules::LISTEN_UPGRADE])))
)]
pub async fn listen(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListenQuery>,
    upgrade: std::result::Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response> {
    let session = parse(&state, &query).await?;
    let upgrade = upgrade.map_err(|_| SandboxError::upgrade_required())?;
    Ok(upgrade
        .on_upgrade(move |socket| run(socket, state, session))
        .into_response())
}

fn frame(frame: &ListenFrame) -> Message {
    Message::Text(serde_json::to_string(frame).unwrap_or_default().into())
}

async fn run(socket: WebSocket, state: AppState, session: Session) {
    let (mut sink, mut stream) = socket.split();
    let ready = ListenFrame::Ready {
        session_id: ids::listen_session_id(),
        signing_secret: state.listen_secret.clone(),
        resumed_after: session.resumed_after.clone(),
        heartbeat_seconds: session.heartbeat,
    };
    if sink.send(frame(&ready)).await.is_err() {
        return;
    }
    let mut latest = state.bus.subscribe();
    let mut last_sent = session.after_seq;
    let mut beat = tokio::time::interval(Duration::from_secs(u64::from(session.heartbeat)));
    beat.tick().await;
    loop {
        latest.borrow_and_update();
        loop {
            let rows: Vec<EventRow> =
                match sqlx::query_as("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?")
                    .bind(last_sent)
                    .bind(BATCH)
                    .fetch_all(&state.db)
                    .await
                {
                    Ok(rows) => rows,
                    Err(error) => {
                        tracing::warn!(%error, "listen session cannot read events");
                        return;
                    }
                };
            if rows.is_empty() {
                break;
            }
            for row in rows {
                last_sent = row.seq;
                let wanted = session
                    .types
                    .as_ref()
                    .is_none_or(|types| event_log::subscribed(types, &row.event_type));
                if !wanted {
                    continue;
                }
                let body = row.body(state.live);
                let headers = signed_headers(&[&state.listen_secret], &row.id, &body);
                let event = ListenFrame::Event {
                    event_id: row.id.clone(),
                    event_type: row.event_type.clone(),
                    headers,
                    body,
                };
                if sink.send(frame(&event)).await.is_err() {
                    return;
                }
            }
        }
        tokio::select! {
            changed = latest.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            _ = beat.tick() => {
                let latest_event_id: Option<String> =
                    sqlx::query_scalar("SELECT id FROM events ORDER BY seq DESC LIMIT 1")
                        .fetch_optional(&state.db)
                        .await
                        .unwrap_or(None);
                let heartbeat = ListenFrame::Heartbeat { at: state.clock.now(), latest_event_id };
                if sink.send(frame(&heartbeat)).await.is_err() {
                    return;
                }
            }
            incoming = stream.next() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(Message::Text(text))) => {
                    if let Ok(ListenReply::Ack { event_id, status, error }) =
                        serde_json::from_str::<ListenReply>(&text)
                    {
                        tracing::debug!(%event_id, ?status, ?error, "listener acked");
                    }
                }
                Some(Ok(_)) => {}
            },
        }
    }
}
