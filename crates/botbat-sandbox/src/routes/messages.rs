//! `/v1/messages`: sending to a contact, and the delivery timeline that follows.
//!
//! A message moves queued → sent → delivered → read one step every `message_step`
//! (seconds by default) on the sandbox clock. The recipient decides the outcome, like card
//! numbers in payment sandboxes: a phone ending in `0000` fails when sending, one ending
//! in `1111` is delivered but never read, every other one is read.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use botbat_api::{Channel, FieldIssue, Message, MessageStatus, SendMessageRequest, TemplateStatus};
use sqlx::FromRow;

use crate::clock::from_ms;
use crate::error::{ApiJson, Result, SandboxError};
use crate::ids;
use crate::routes::{contacts, templates};
use crate::rows::{self, Table};
use crate::state::AppState;

/// Phones ending in this fail.
pub const FAILING_SUFFIX: &str = "0000";
/// Phones ending in this are never read.
pub const UNREAD_SUFFIX: &str = "1111";
pub const FAILURE_REASON: &str =
    "Sandbox convention: numbers ending in 0000 cannot receive messages (recipient unreachable).";

#[derive(Debug, Clone, FromRow)]
struct MessageRow {
    id: String,
    contact_id: String,
    channel: String,
    template_id: Option<String>,
    body: String,
    outcome: String,
    step_ms: i64,
    created_at: i64,
}

impl MessageRow {
    /// The timeline as of `now`: each step's time once it has happened.
    fn to_api(&self, now: i64) -> Message {
        let at = |step: i64| {
            let t = self.created_at + step * self.step_ms;
            (t <= now).then(|| from_ms(t))
        };
        let failed = self.outcome == "failed";
        let sent_at = if failed { None } else { at(1) };
        let delivered_at = if failed { None } else { at(2) };
        let read_at = if self.outcome == "read" { at(3) } else { None };
        let failed_at = if failed { at(1) } else { None };
        let status = if failed_at.is_some() {
            MessageStatus::Failed
        } else if read_at.is_some() {
            MessageStatus::Read
        } else if delivered_at.is_some() {
            MessageStatus::Delivered
        } else if sent_at.is_some() {
            MessageStatus::Sent
        } else {
            MessageStatus::Queued
        };
        Message {
            id: self.id.clone(),
            contact_id: self.contact_id.clone(),
            channel: if self.channel == "sms" {
                Channel::Sms
            } else {
                Channel::Whatsapp
            },
            template_id: self.template_id.clone(),
            body: self.body.clone(),
            status,
            queued_at: from_ms(self.created_at),
            sent_at,
            delivered_at,
            read_at,
            failed_at,
            failure_reason: failed_at.map(|_| FAILURE_REASON.to_string()),
        }
    }
}

fn fill(template: &str, variables: &[String]) -> String {
    let mut body = template.to_string();
    for (i, value) in variables.iter().enumerate() {
        body = body.replace(&format!("{{{{{}}}}}", i + 1), value);
    }
    body
}

/// Sends a message to a contact, now. It starts `queued`; follow it with
/// `GET /v1/messages/{id}`.
#[utoipa::path(
    post, path = "/v1/messages/send", tag = "Messages",
    request_body(content = SendMessageRequest, example = json!({"contact_id": "ct_…", "channel": "whatsapp", "template_id": "tpl_…", "variables": ["Ada", "A-1042"]})),
    responses((status = 201, description = "The queued message", body = Message)),
    security(("bearer_key" = ["messages:send"]))
)]
pub async fn send_message(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SendMessageRequest>,
) -> Result<(StatusCode, Json<Message>)> {
    let mut issues = Vec::new();
    let phone = match contacts::phone_of(&state, &request.contact_id).await? {
        None => {
            issues.push(FieldIssue::new(
                "contact_id",
                format!("no contact {:?}", request.contact_id),
            ));
            None
        }
        Some(None) => {
            issues.push(FieldIssue::new(
                "contact_id",
                "the contact has no phone number to message",
            ));
            None
        }
        Some(Some(phone)) => Some(phone),
    };
    let body = match (&request.template_id, &request.body) {
        (Some(_), Some(_)) | (None, None) => {
            issues.push(FieldIssue::new(
                "template_id",
                "give either template_id (with variables) or body, not both and not neither",
            ));
            None
        }
        (None, Some(body)) => {
            let max = if request.channel == Channel::Sms {
                1600
            } else {
                4096
            };
            if body.trim().is_empty() || body.chars().count() > max {
                issues.push(FieldIssue::new(
                    "body",
                    format!("must be 1 to {max} characters"),
                ));
                None
            } else {
                Some(body.clone())
            }
        }
        (Some(template_id), None) => {
            if request.channel != Channel::Whatsapp {
                issues.push(FieldIssue::new(
                    "template_id",
                    "templates are sent on the whatsapp channel only; use body for sms",
                ));
                None
            } else {
                match templates::for_sending(&state, template_id).await? {
                    None => {
                        issues.push(FieldIssue::new(
                            "template_id",
                            format!("no template {template_id:?}"),
                        ));
                        None
                    }
                    Some((status, _, _)) if status != TemplateStatus::Approved => {
                        issues.push(FieldIssue::new(
                            "template_id",
                            format!(
                                "the template is {}; only approved templates can be sent",
                                status.as_str()
                            ),
                        ));
                        None
                    }
                    Some((_, template, count)) => {
                        if request.variables.len() != count as usize {
                            issues.push(FieldIssue::new(
                                "variables",
                                format!(
                                    "the template takes {count} variables, {} given",
                                    request.variables.len()
                                ),
                            ));
                            None
                        } else {
                            Some(fill(&template, &request.variables))
                        }
                    }
                }
            }
        }
    };
    if !issues.is_empty() {
        return Err(SandboxError::validation(issues));
    }
    let (Some(phone), Some(body)) = (phone, body) else {
        return Err(SandboxError::internal(
            "validated message without phone or body",
        ));
    };
    let outcome = if phone.ends_with(FAILING_SUFFIX) {
        "failed"
    } else if phone.ends_with(UNREAD_SUFFIX) {
        "delivered"
    } else {
        "read"
    };
    let now = state.clock.now_ms();
    let row: MessageRow = sqlx::query_as(
        "INSERT INTO messages (id, contact_id, channel, template_id, variables, body, outcome, step_ms, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(ids::message_id())
    .bind(&request.contact_id)
    .bind(match request.channel {
        Channel::Whatsapp => "whatsapp",
        Channel::Sms => "sms",
    })
    .bind(&request.template_id)
    .bind(serde_json::to_string(&request.variables).unwrap_or_else(|_| "[]".into()))
    .bind(&body)
    .bind(outcome)
    .bind(state.message_step_ms)
    .bind(now)
    .fetch_one(&state.db)
    .await?;
    Ok((StatusCode::CREATED, Json(row.to_api(now))))
}

/// A message with its status and the time of each step so far.
#[utoipa::path(
    get, path = "/v1/messages/{id}", tag = "Messages",
    params(("id" = String, Path, description = "Message id, `msg_…`")),
    responses((status = 200, description = "The message", body = Message)),
    security(("bearer_key" = ["messages:read"]))
)]
pub async fn get_message(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Message>> {
    let row: MessageRow = rows::get(&state.db, Table::Messages, &id).await?;
    Ok(Json(row.to_api(state.clock.now_ms())))
}
