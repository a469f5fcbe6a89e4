//! `/v1/conversations`: threads with one contact. A message from the contact opens one
//! (or joins the open one); messages sent to a contact with an open conversation join it,
//! so its history is the whole exchange. In the sandbox, `POST /v1/sandbox/inbound` plays
//! the contact's phone.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use botbat_api::contract::PHONE;
use botbat_api::{
    AssignConversationRequest, Channel, Conversation, ConversationFilter, ConversationMessage,
    ConversationStatus, ErrorBody, FieldIssue, InboundMessageRequest, InboundResult, Page,
    PageParams, ASSIGNEE, INBOUND_BODY,
};
use sqlx::FromRow;

use crate::clock::from_ms;
use crate::error::{ApiJson, ApiQuery, Result, SandboxError};
use crate::pagination::Paged;
use crate::routes::contacts;
use crate::routes::messages::MessageRow;
use crate::rows::{self, Table};
use crate::state::AppState;
use crate::{event_log, ids};

#[derive(Debug, Clone, FromRow)]
struct ConversationRow {
    id: String,
    contact_id: String,
    channel: Channel,
    status: ConversationStatus,
    assignee: Option<String>,
    last_message_at: i64,
    resolved_at: Option<i64>,
    created_at: i64,
}

impl ConversationRow {
    fn to_api(&self, messages: Vec<ConversationMessage>) -> Conversation {
        Conversation {
            id: self.id.clone(),
            contact_id: self.contact_id.clone(),
            channel: self.channel,
            status: self.status,
            assignee: self.assignee.clone(),
            last_message_at: from_ms(self.last_message_at),
            resolved_at: self.resolved_at.map(from_ms),
            created_at: from_ms(self.created_at),
            messages,
        }
    }
}

/// The contact's conversation that is not resolved, if there is one.
pub(crate) async fn open_for(state: &AppState, contact_id: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM conversations WHERE contact_id = ? AND status != 'resolved'
         ORDER BY seq DESC LIMIT 1",
    )
    .bind(contact_id)
    .fetch_optional(&state.db)
    .await?)
}

pub(crate) async fn touch(state: &AppState, id: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE conversations SET last_message_at = MAX(last_message_at, ?) WHERE id = ?")
        .bind(at)
        .bind(id)
        .execute(&state.db)
        .await?;
    Ok(())
}

async fn load(state: &AppState, id: &str) -> Result<ConversationRow> {
    rows::get(&state.db, Table::Conversations, id).await
}

async fn with_history(state: &AppState, row: &ConversationRow) -> Result<Conversation> {
    let messages: Vec<MessageRow> =
        sqlx::query_as("SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq")
            .bind(&row.id)
            .fetch_all(&state.db)
            .await?;
    Ok(row.to_api(
        messages
            .iter()
            .map(|m| ConversationMessage {
                message_id: m.id.clone(),
                direction: m.direction,
                body: m.body.clone(),
                at: from_ms(m.created_at),
            })
            .collect(),
    ))
}

/// Lists conversations, most recent activity first, by status and assignee.
#[utoipa::path(
    get, path = "/v1/conversations", tag = "Conversations",
    params(PageParams, ConversationFilter),
    responses((status = 200, description = "A page of conversations (without history)", body = Page<Conversation>)),
    security(("bearer_key" = ["conversations:read"]))
)]
pub async fn list_conversations(
    State(state): State<AppState>,
    paged: Paged,
    ApiQuery(filter): ApiQuery<ConversationFilter>,
) -> Result<Json<Page<Conversation>>> {
    let mut list = paged.list("conversations", "SELECT * FROM conversations")?;
    list.filter("status = ?", filter.status.map(ConversationStatus::as_str))
        .filter("assignee = ?", filter.assignee.as_deref());
    Ok(Json(
        list.page(&state.db, |r: &ConversationRow| r.to_api(Vec::new()))
            .await?,
    ))
}

/// One conversation with its message history, oldest first.
#[utoipa::path(
    get, path = "/v1/conversations/{id}", tag = "Conversations",
    params(("id" = String, Path, description = "Conversation id, `conv_…`")),
    responses((status = 200, description = "The conversation and its messages", body = Conversation)),
    security(("bearer_key" = ["conversations:read"]))
)]
pub async fn get_conversation(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Conversation>> {
    let row = load(&state, &id).await?;
    Ok(Json(with_history(&state, &row).await?))
}

/// Assigns a conversation to an agent (or to another one).
#[utoipa::path(
    post, path = "/v1/conversations/{id}/assign", tag = "Conversations",
    params(("id" = String, Path, description = "Conversation id, `conv_…`")),
    request_body(content = AssignConversationRequest, example = json!({"assignee": "grace@example.com"})),
    responses(
        (status = 200, description = "The conversation, assigned", body = Conversation),
        (status = 409, description = "conflict: the conversation is resolved", body = ErrorBody),
    ),
    security(("bearer_key" = ["conversations:write"]))
)]
pub async fn assign_conversation(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssignConversationRequest>,
) -> Result<Json<Conversation>> {
    let current = load(&state, &id).await?;
    if let Some(issue) = ASSIGNEE.issue(&body.assignee) {
        return Err(SandboxError::field("assignee", issue));
    }
    let assignee = body.assignee.trim();
    if current.status == ConversationStatus::Resolved {
        return Err(SandboxError::conflict(format!(
            "Conversation {id} is resolved; a new message from the contact opens a new one."
        )));
    }
    let row: ConversationRow = sqlx::query_as(
        "UPDATE conversations SET status = 'assigned', assignee = ? WHERE id = ? RETURNING *",
    )
    .bind(assignee)
    .bind(&id)
    .fetch_one(&state.db)
    .await?;
    let conversation = with_history(&state, &row).await?;
    event_log::emit(&state, "conversation.assigned", &conversation).await?;
    Ok(Json(conversation))
}

/// Resolves a conversation. The next message from the contact opens a new one.
#[utoipa::path(
    post, path = "/v1/conversations/{id}/resolve", tag = "Conversations",
    params(("id" = String, Path, description = "Conversation id, `conv_…`")),
    responses(
        (status = 200, description = "The conversation, resolved", body = Conversation),
        (status = 409, description = "conflict: already resolved", body = ErrorBody),
    ),
    security(("bearer_key" = ["conversations:write"]))
)]
pub async fn resolve_conversation(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Conversation>> {
    let current = load(&state, &id).await?;
    if current.status == ConversationStatus::Resolved {
        return Err(SandboxError::conflict(format!(
            "Conversation {id} is already resolved."
        )));
    }
    let row: ConversationRow = sqlx::query_as(
        "UPDATE conversations SET status = 'resolved', resolved_at = ? WHERE id = ? RETURNING *",
    )
    .bind(state.clock.now_ms())
    .bind(&id)
    .fetch_one(&state.db)
    .await?;
    let conversation = with_history(&state, &row).await?;
    event_log::emit(&state, "conversation.resolved", &conversation).await?;
    Ok(Json(conversation))
}

/// Plays a contact writing in: the message is received, an unknown number becomes a
/// contact, and the contact's open conversation gets the message (or a new one opens).
#[utoipa::path(
    post, path = "/v1/sandbox/inbound", tag = "Sandbox",
    request_body(content = InboundMessageRequest, example = json!({"from": "+447700900123", "channel": "whatsapp", "body": "Where is my order?"})),
    responses((status = 201, description = "What the message did", body = InboundResult)),
    security(("bearer_key" = ["sandbox:manage"]))
)]
pub async fn inbound_message(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<InboundMessageRequest>,
) -> Result<(StatusCode, Json<InboundResult>)> {
    let mut issues = Vec::new();
    let from = request.from.as_str();
    if let Some(issue) = PHONE.issue(from) {
        issues.push(FieldIssue::new("from", format!("{issue} (got {from:?})")));
    }
    if let Some(issue) = INBOUND_BODY.issue(&request.body) {
        issues.push(FieldIssue::new("body", issue));
    }
    if !issues.is_empty() {
        return Err(SandboxError::validation(issues));
    }
    let contact_id = contacts::find_or_create_by_phone(&state, from).await?;
    let now = state.clock.now_ms();
    let (conversation_id, created) = match open_for(&state, &contact_id).await? {
        Some(id) => (id, false),
        None => {
            let row: ConversationRow = sqlx::query_as(
                "INSERT INTO conversations (id, contact_id, channel, status, last_message_at, created_at)
                 VALUES (?, ?, ?, 'open', ?, ?) RETURNING *",
            )
            .bind(ids::conversation_id())
            .bind(&contact_id)
            .bind(request.channel.as_str())
            .bind(now)
            .bind(now)
            .fetch_one(&state.db)
            .await?;
            (row.id, true)
        }
    };
    let message_id = ids::message_id();
    sqlx::query(
        "INSERT INTO messages (id, contact_id, channel, variables, body, outcome, step_ms, created_at, conversation_id, direction)
         VALUES (?, ?, ?, '[]', ?, 'received', 0, ?, ?, 'inbound')",
    )
    .bind(&message_id)
    .bind(&contact_id)
    .bind(request.channel.as_str())
    .bind(&request.body)
    .bind(now)
    .bind(&conversation_id)
    .execute(&state.db)
    .await?;
    touch(&state, &conversation_id, now).await?;
    let conversation = with_history(&state, &load(&state, &conversation_id).await?).await?;
    if created {
        event_log::emit(&state, "conversation.created", &conversation).await?;
    }
    event_log::emit(
        &state,
        "message.received",
        &serde_json::json!({
            "message_id": message_id, "contact_id": contact_id,
            "conversation_id": conversation_id, "channel": request.channel.as_str(),
            "from": from, "body": request.body, "received_at": from_ms(now),
        }),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(InboundResult {
            message_id,
            contact_id,
            conversation_id,
            created_conversation: created,
        }),
    ))
}
