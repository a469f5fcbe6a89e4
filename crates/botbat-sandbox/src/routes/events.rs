//! `/v1/events`: the organisation's event log, the catalogue of event types, and the
//! sandbox's Event Simulator, which produces any event on demand (delivery failures,
//! rate-limit events, contact merges) without arranging the situation that causes it.
//!
//! Only the HTTP surface: writing events and scheduling them is `event_log.rs`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use botbat_api::{
    Event, EventFilter, EventType, EventTypeInfo, FieldIssue, Page, PageParams,
    SimulateEventRequest,
};
use serde_json::{json, Value};

use crate::error::{ApiJson, ApiQuery, Result, SandboxError};
use crate::event_log::{self, EventRow};
use crate::pagination::Paged;
use crate::rows::{self, Table};
use crate::state::AppState;

/// The group the console shows a type under, and what it means.
fn describe(event_type: &str) -> (&'static str, &'static str) {
    match event_type {
        "message.queued" => ("messages", "A message was accepted and waits to be sent."),
        "message.sent" => ("messages", "The message left for the carrier or WhatsApp."),
        "message.delivered" => ("messages", "The recipient's phone received the message."),
        "message.read" => (
            "messages",
            "The recipient opened the message (WhatsApp read receipt).",
        ),
        "message.failed" => (
            "messages",
            "The message could not be delivered; `failure_reason` says why.",
        ),
        "message.received" => ("messages", "A contact sent a message to the organisation."),
        "contact.created" => (
            "contacts",
            "A contact was created, by the API, an import or an inbound message.",
        ),
        "contact.updated" => ("contacts", "A contact's fields changed."),
        "contact.deleted" => ("contacts", "A contact was deleted."),
        "contact.merged" => (
            "contacts",
            "Two contacts were merged into one; `merged_ids` lists the ones that are gone.",
        ),
        "campaign.scheduled" => ("campaigns", "A campaign was scheduled for `send_at`."),
        "campaign.started" => ("campaigns", "A campaign began sending to its segment."),
        "campaign.completed" => (
            "campaigns",
            "A campaign sent to every contact of its segment; `counts` has the totals.",
        ),
        "campaign.failed" => (
            "campaigns",
            "A campaign could not send; `failure_reason` says why.",
        ),
        "conversation.created" => (
            "conversations",
            "A contact's message opened a conversation.",
        ),
        "conversation.assigned" => ("conversations", "A conversation was assigned to an agent."),
        "conversation.resolved" => ("conversations", "A conversation was resolved."),
        "template.submitted" => ("templates", "A template was submitted for WhatsApp review."),
        "template.approved" => ("templates", "WhatsApp approved a template; it can be sent."),
        "template.rejected" => (
            "templates",
            "WhatsApp rejected a template; `rejection_reason` says why.",
        ),
        "import.completed" => (
            "imports",
            "A contact import finished; the job has the counts and rejected rows.",
        ),
        "rate_limit.exceeded" => (
            "rate limits",
            "A key was answered 429; at most one event per key per minute.",
        ),
        _ => (
            "webhooks",
            "A test event, sent to check that an endpoint receives and verifies.",
        ),
    }
}

/// Realistic `data` for each type, as the platform would send it.
pub fn example(event_type: &str) -> Value {
    let message = |status: &str| {
        json!({
            "id": "msg_7Hq2cX9LmP4vT1sD", "contact_id": "ct_3Jk8QwErTy5UiOp2",
            "channel": "whatsapp", "template_id": null,
            "body": "Hi Ada, your order A-1042 has shipped.", "status": status,
            "queued_at": "2026-11-21T09:30:00Z",
            "sent_at": if status == "queued" || status == "failed" { Value::Null } else { json!("2026-11-21T09:30:01Z") },
            "delivered_at": if matches!(status, "delivered" | "read") { json!("2026-11-21T09:30:02Z") } else { Value::Null },
            "read_at": if status == "read" { json!("2026-11-21T09:30:03Z") } else { Value::Null },
            "failed_at": if status == "failed" { json!("2026-11-21T09:30:01Z") } else { Value::Null },
            "failure_reason": if status == "failed" { json!("Recipient unreachable.") } else { Value::Null },
        })
    };
    let contact = json!({
        "id": "ct_3Jk8QwErTy5UiOp2", "name": "Ada Lovelace", "email": "ada@example.com",
        "phone": "+447700900123", "segment": "vip", "tags": ["newsletter"],
        "created_at": "2026-11-20T14:02:11Z", "updated_at": "2026-11-21T09:12:40Z",
    });
    let campaign = |status: &str| {
        json!({
            "id": "cmp_Z8xV2bN4mQ6wE1rT", "name": "Black Friday", "segment": "vip",
            "channel": "whatsapp", "template_id": "tpl_9Kd3Lm5Np7Qr1St2", "variables": ["30%"],
            "body": null, "status": status, "send_at": "2026-11-27T08:00:00Z",
            "started_at": if matches!(status, "sending" | "completed") { json!("2026-11-27T08:00:00Z") } else { Value::Null },
            "completed_at": if status == "completed" { json!("2026-11-27T08:00:04Z") } else { Value::Null },
            "failure_reason": if status == "failed" { json!("The template is no longer approved.") } else { Value::Null },
            "counts": {"recipients": 1200, "messages": 1187, "failed": 4, "skipped": 13},
            "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-27T08:00:04Z",
        })
    };
    let conversation = |status: &str, assignee: Value| {
        json!({
            "id": "conv_4Gh6Jk8Lm0Nb2Vc4", "contact_id": "ct_3Jk8QwErTy5UiOp2",
            "channel": "whatsapp", "status": status, "assignee": assignee,
            "last_message_at": "2026-11-21T09:41:00Z",
            "resolved_at": if status == "resolved" { json!("2026-11-21T10:02:00Z") } else { Value::Null },
            "created_at": "2026-11-21T09:41:00Z", "messages": [],
        })
    };
    let template = |status: &str| {
        json!({
            "id": "tpl_9Kd3Lm5Np7Qr1St2", "name": "order_shipped", "language": "en",
            "category": "utility", "body": "Hi {{1}}, your order {{2}} has shipped.",
            "variables": 2, "status": status,
            "rejection_reason": if status == "rejected" { json!("The template contains promotional content in a utility category.") } else { Value::Null },
            "submitted_at": "2026-11-21T09:00:00Z",
            "reviewed_at": if status == "submitted" { Value::Null } else { json!("2026-11-21T09:00:05Z") },
            "created_at": "2026-11-21T08:55:00Z", "updated_at": "2026-11-21T09:00:00Z",
        })
    };
    match event_type {
        "message.queued" => message("queued"),
        "message.sent" => message("sent"),
        "message.delivered" => message("delivered"),
        "message.read" => message("read"),
        "message.failed" => message("failed"),
        "message.received" => json!({
            "message_id": "msg_R5tY7uI9oP1aS3dF", "contact_id": "ct_3Jk8QwErTy5UiOp2",
            "conversation_id": "conv_4Gh6Jk8Lm0Nb2Vc4", "channel": "whatsapp",
            "from": "+447700900123", "body": "Where is my order?", "received_at": "2026-11-21T09:41:00Z",
        }),
        "contact.created" | "contact.updated" => contact,
        "contact.deleted" => json!({"id": "ct_3Jk8QwErTy5UiOp2", "deleted": true}),
        "contact.merged" => json!({
            "contact": contact, "merged_ids": ["ct_8Vb6Nm4Qw2Er0Ty9"],
            "reason": "same phone number",
        }),
        "campaign.scheduled" => campaign("scheduled"),
        "campaign.started" => campaign("sending"),
        "campaign.completed" => campaign("completed"),
        "campaign.failed" => campaign("failed"),
        "conversation.created" => conversation("open", Value::Null),
        "conversation.assigned" => conversation("assigned", json!("grace@example.com")),
        "conversation.resolved" => conversation("resolved", json!("grace@example.com")),
        "template.submitted" => template("pending"),
        "template.approved" => template("approved"),
        "template.rejected" => template("rejected"),
        "import.completed" => json!({
            "id": "job_2Wq4Er6Ty8Ui0Op2", "kind": "contact_import", "status": "completed",
            "total_rows": 3, "processed_rows": 3, "imported": 2, "skipped": 1,
            "errors": [{"line": 3, "reason": "phone: must be E.164, e.g. +14155550123"}],
            "failure_reason": null, "created_at": "2026-11-21T09:00:00Z",
            "completed_at": "2026-11-21T09:00:01Z",
        }),
        "rate_limit.exceeded" => json!({
            "key_id": "key_4Rt6Yu8Io0Pa2Sd4", "limit": "per_key_per_second", "allowed": 10,
            "window_seconds": 1, "retry_after": 1, "route": "POST /v1/messages/send",
        }),
        _ => json!({"message": "This is a test event from the BotBat console."}),
    }
}

fn parse_filter(filter: &EventFilter) -> (Option<&str>, Option<i64>, Option<i64>) {
    (
        filter.event_type.map(EventType::as_str),
        filter.created_from.map(|t| t.timestamp_millis()),
        filter.created_to.map(|t| t.timestamp_millis()),
    )
}

/// Lists events, newest first, by type and time.
#[utoipa::path(
    get, path = "/v1/events", tag = "Events",
    params(PageParams, EventFilter),
    responses((status = 200, description = "A page of events", body = Page<Event>)),
    security(("bearer_key" = ["webhooks:read"]))
)]
pub async fn list_events(
    State(state): State<AppState>,
    paged: Paged,
    ApiQuery(filter): ApiQuery<EventFilter>,
) -> Result<Json<Page<Event>>> {
    let mut list = paged.list("events", "SELECT * FROM events")?;
    let (event_type, from, to) = parse_filter(&filter);
    list.filter("type = ?", event_type)
        .filter("created_at >= ?", from)
        .filter("created_at < ?", to);
    let live = state.live;
    Ok(Json(
        list.page(&state.db, |r: &EventRow| r.to_api(live)).await?,
    ))
}

/// Every event type, grouped, with a description and a realistic example of its data.
#[utoipa::path(
    get, path = "/v1/events/types", tag = "Events",
    responses((status = 200, description = "The event types", body = Vec<EventTypeInfo>)),
    security(("bearer_key" = ["webhooks:read"]))
)]
pub async fn event_types() -> Json<Vec<EventTypeInfo>> {
    Json(
        EventType::ALL
            .iter()
            .map(|t| {
                let (group, description) = describe(t.as_str());
                EventTypeInfo {
                    event_type: t.to_string(),
                    group: group.to_string(),
                    description: description.to_string(),
                    example: example(t.as_str()),
                }
            })
            .collect(),
    )
}

/// One event.
#[utoipa::path(
    get, path = "/v1/events/{id}", tag = "Events",
    params(("id" = String, Path, description = "Event id, `evt_…`")),
    responses((status = 200, description = "The event", body = Event)),
    security(("bearer_key" = ["webhooks:read"]))
)]
pub async fn get_event(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Event>> {
    let row: EventRow = rows::get(&state.db, Table::Events, &id).await?;
    Ok(Json(row.to_api(state.live)))
}

/// The Event Simulator: emits an event of any type now, its data a realistic example with
/// your overrides merged over it, delivered to subscribed endpoints and listeners like any
/// other. `force_delivery_failure` makes the first attempt to each endpoint fail.
#[utoipa::path(
    post, path = "/v1/sandbox/events", tag = "Sandbox",
    request_body(content = SimulateEventRequest, example = json!({"type": "message.delivered", "data": {"contact_id": "ct_3Jk8QwErTy5UiOp2"}, "force_delivery_failure": false})),
    responses((status = 201, description = "The event, emitted", body = Event)),
    security(("bearer_key" = ["sandbox:manage"]))
)]
pub async fn simulate_event(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SimulateEventRequest>,
) -> Result<(StatusCode, Json<Event>)> {
    if EventType::parse(&request.event_type).is_none() {
        return Err(SandboxError::validation(vec![FieldIssue::new(
            "type",
            format!(
                "unknown event type {:?}; GET /v1/events/types lists them",
                request.event_type
            ),
        )]));
    }
    let mut data = example(&request.event_type);
    match &request.data {
        None | Some(Value::Null) => {}
        Some(Value::Object(overrides)) => {
            if let Value::Object(base) = &mut data {
                for (k, v) in overrides {
                    base.insert(k.clone(), v.clone());
                }
            }
        }
        Some(_) => {
            return Err(SandboxError::validation(vec![FieldIssue::new(
                "data",
                "must be a JSON object of fields to override",
            )]))
        }
    }
    let row = event_log::record(
        &state,
        &request.event_type,
        &data,
        request.force_delivery_failure.unwrap_or(false),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row.to_api(state.live))))
}
