//! `/v1/messages`: sending to a contact, and the delivery timeline that follows.
//!
//! A message moves queued → sent → delivered → read one step every `message_step`
//! (seconds by default) on the sandbox clock. The recipient decides the outcome, like card
//! numbers in payment sandboxes: a phone ending in `0000` fails when sending, one ending
//! in `1111` is delivered but never read, every other one is read.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use botbat_api::{
    Channel, Direction, FieldIssue, Message, MessageStatus, SendMessageRequest, TemplateStatus,
};
use sqlx::FromRow;

use crate::clock::from_ms;
use crate::error::{ApiJson, Result, SandboxError};
use crate::routes::{contacts, conversations, templates};
use crate::rows::{self, Table};
use crate::state::AppState;
use crate::{event_log, ids, rules};

/// Phones ending in this fail.
pub const FAILING_SUFFIX: &str = "0000";
/// Phones ending in this are never read.
pub const UNREAD_SUFFIX: &str = "1111";
pub const FAILURE_REASON: &str =
    "Sandbox convention: numbers ending in 0000 cannot receive messages (recipient unreachable).";

/// Where a message's timeline ends, decided by the recipient when the message is written;
/// stored so that the timeline is the same at every read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(rename_all = "snake_case")]
pub(crate) enum Outcome {
    Failed,
    Delivered,
    Read,
    /// Inbound: the contact wrote it.
    Received,
}

#[derive(Debug, Clone, FromRow)]
pub(crate) struct MessageRow {
    pub id: String,
    contact_id: String,
    channel: Channel,
    template_id: Option<String>,
    pub body: String,
    outcome: Outcome,
    step_ms: i64,
    pub created_at: i64,
    campaign_id: Option<String>,
    conversation_id: Option<String>,
    pub direction: Direction,
}

impl MessageRow {
    /// The timeline as of `now`: each step's time once it has happened.
    pub fn to_api(&self, now: i64) -> Message {
        let inbound = self.direction == Direction::Inbound;
        let at = |step: i64| {
            let t = self.created_at + step * self.step_ms;
            (t <= now).then(|| from_ms(t))
        };
        let failed = self.outcome == Outcome::Failed;
        let settled = failed || inbound;
        let sent_at = if settled { None } else { at(1) };
        let delivered_at = if settled { None } else { at(2) };
        let read_at = if self.outcome == Outcome::Read {
            at(3)
        } else {
            None
        };
        let failed_at = if failed { at(1) } else { None };
        let status = if inbound {
            MessageStatus::Received
        } else if failed_at.is_some() {
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
            channel: self.channel,
            direction: self.direction,
            campaign_id: self.campaign_id.clone(),
            conversation_id: self.conversation_id.clone(),
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

/// An outbound message ready to be written: validated, its body final.
pub(crate) struct Outbound<'a> {
    pub contact_id: &'a str,
    pub phone: &'a str,
    pub channel: Channel,
    pub template_id: Option<&'a str>,
    pub variables: &'a [String],
    pub body: &'a str,
    pub campaign_id: Option<&'a str>,
}

/// Writes an outbound message, joins it to the contact's open conversation, emits
/// `message.queued` and writes its later steps ahead as scheduled events. `None` when the
/// campaign already messaged this contact (a resumed campaign never sends twice).
pub(crate) async fn create(state: &AppState, message: Outbound<'_>) -> Result<Option<Message>> {
    let outcome = if message.phone.ends_with(FAILING_SUFFIX) {
        Outcome::Failed
    } else if message.phone.ends_with(UNREAD_SUFFIX) {
        Outcome::Delivered
    } else {
        Outcome::Read
    };
    let conversation_id = conversations::open_for(state, message.contact_id).await?;
    let now = state.clock.now_ms();
    let row: Option<MessageRow> = sqlx::query_as(
        "INSERT OR IGNORE INTO messages (id, contact_id, channel, template_id, variables, body, outcome, step_ms, created_at, campaign_id, conversation_id, direction)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'outbound') RETURNING *",
    )
    .bind(ids::message_id())
    .bind(message.contact_id)
    .bind(message.channel.as_str())
    .bind(message.template_id)
    .bind(sqlx::types::Json(message.variables))
    .bind(message.body)
    .bind(outcome)
    .bind(state.message_step_ms)
    .bind(now)
    .bind(message.campaign_id)
    .bind(&conversation_id)
    .fetch_optional(&state.db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if let Some(conversation_id) = &conversation_id {
        conversations::touch(state, conversation_id, now).await?;
    }
    event_log::emit(state, "message.queued", &row.to_api(now)).await?;
    let steps: &[(&str, i64)] = match outcome {
        Outcome::Failed => &[("message.failed", 1)],
        Outcome::Delivered => &[("message.sent", 1), ("message.delivered", 2)],
        _ => &[
            ("message.sent", 1),
            ("message.delivered", 2),
            ("message.read", 3),
        ],
    };
    for (event_type, step) in steps {
        let at = row.created_at + step * row.step_ms;
        event_log::schedule(state, event_type, &row.id, at, &row.to_api(at)).await?;
    }
    Ok(Some(row.to_api(now)))
}

/// Where a message's text comes from, as far as it can be checked before sending.
pub(crate) enum Source<'a> {
    Body(&'a str),
    /// An existing template, whatever its review status.
    Template {
        status: TemplateStatus,
        text: String,
        variables: u32,
    },
}

/// The rules a draft must already follow, shared by sending a message and drafting a
/// campaign: a body or a template (never both, never neither), a body that fits the
/// channel, a template only on WhatsApp and only one that exists. Problems are added to
/// `issues` (field names as in the send request).
pub(crate) async fn source<'a>(
    state: &AppState,
    channel: Channel,
    template_id: Option<&str>,
    body: Option<&'a str>,
    issues: &mut Vec<FieldIssue>,
) -> Result<Option<Source<'a>>> {
    Ok(match (template_id, body) {
        (Some(_), Some(_)) | (None, None) => {
            issues.push(FieldIssue::new(
                "template_id",
                "give either template_id (with variables) or body, not both and not neither",
            ));
            None
        }
        (None, Some(body)) => match channel.body().issue(body) {
            Some(issue) => {
                issues.push(FieldIssue::new("body", issue));
                None
            }
            None => Some(Source::Body(body)),
        },
        (Some(_), None) if channel != Channel::Whatsapp => {
            issues.push(rules::TEMPLATE_CHANNEL.detail());
            None
        }
        (Some(template_id), None) => match templates::for_sending(state, template_id).await? {
            None => {
                issues.push(rules::TEMPLATE_EXISTS.detail_with(format!("{template_id:?}")));
                None
            }
            Some((status, text, variables)) => Some(Source::Template {
                status,
                text,
                variables,
            }),
        },
    })
}

/// The text a message will carry: the body, or the approved template filled with its
/// variables. Problems are added to `issues` (field names as in the send request).
pub(crate) async fn compose(
    state: &AppState,
    channel: Channel,
    template_id: Option<&str>,
    variables: &[String],
    body: Option<&str>,
    issues: &mut Vec<FieldIssue>,
) -> Result<Option<String>> {
    Ok(
        match source(state, channel, template_id, body, issues).await? {
            None => None,
            Some(Source::Body(body)) => Some(body.to_string()),
            Some(Source::Template { status, .. }) if status != TemplateStatus::Approved => {
                issues.push(
                    rules::TEMPLATE_APPROVED
                        .detail_with(format!("this one is {}", status.as_str())),
                );
                None
            }
            Some(Source::Template {
                variables: count, ..
            }) if variables.len() != count as usize => {
                issues.push(
                    rules::TEMPLATE_VARIABLES
                        .detail_with(format!("it takes {count}, {} given", variables.len())),
                );
                None
            }
            Some(Source::Template { text, .. }) => Some(fill(&text, variables)),
        },
    )
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
    security(("bearer_key" = ["messages:send"])),
    extensions(("x-runtime-rules" = json!([rules::CONTACT_EXISTS, rules::CONTACT_HAS_PHONE, rules::TEMPLATE_EXISTS, rules::TEMPLATE_APPROVED, rules::TEMPLATE_VARIABLES])))
)]
pub async fn send_message(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SendMessageRequest>,
) -> Result<(StatusCode, Json<Message>)> {
    let mut issues = Vec::new();
    let phone = match contacts::phone_of(&state, &request.contact_id).await? {
        None => {
            issues.push(rules::CONTACT_EXISTS.detail_with(format!("{:?}", request.contact_id)));
            None
        }
        Some(None) => {
            issues.push(rules::CONTACT_HAS_PHONE.detail());
            None
        }
        Some(Some(phone)) => Some(phone),
    };
    let body = compose(
        &state,
        request.channel,
        request.template_id.as_deref(),
        &request.variables,
        request.body.as_deref(),
        &mut issues,
    )
    .await?;
    if !issues.is_empty() {
        return Err(SandboxError::validation(issues));
    }
    let (Some(phone), Some(body)) = (phone, body) else {
        return Err(SandboxError::internal(
            "validated message without phone or body",
        ));
    };
    let message = create(
        &state,
        Outbound {
            contact_id: &request.contact_id,
            phone: &phone,
            channel: request.channel,
            template_id: request.template_id.as_deref(),
            variables: &request.variables,
            body: &body,
            campaign_id: None,
        },
    )
    .await?
    .ok_or_else(|| SandboxError::internal("a direct message collided with a campaign message"))?;
    Ok((StatusCode::CREATED, Json(message)))
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
