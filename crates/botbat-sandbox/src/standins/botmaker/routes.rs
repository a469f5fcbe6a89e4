//! The Botmaker stand-in's routes: channels, the send-messages chat action, webhook
//! configuration, and sandbox controls under `/v2.0/sandbox` that play a user or an agent
//! writing, and a platform event.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use botbat_api::platforms::botmaker::{
    Channel, Items, MessageType, Notification, Sent, Webhook, WebhookKind, WEBHOOK_TOKEN_HEADER,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{Error, Result, StandIn, MAX_BODY};
use crate::ids;
use crate::standins::body as read;

pub(super) fn router() -> Router<StandIn> {
    Router::new()
        .route("/v2.0/channels", get(list_channels))
        .route("/v2.0/chats-actions/send-messages", post(send_messages))
        .route("/v2.0/webhooks", get(list_webhooks).post(create_webhook))
        .route(
            "/v2.0/webhooks/{id}",
            get(get_webhook).put(update_webhook).delete(delete_webhook),
        )
        .route("/v2.0/sandbox/inbound", post(inbound))
        .route("/v2.0/sandbox/events", post(platform_event))
}

fn object(body: std::result::Result<Bytes, BytesRejection>) -> Result<Value> {
    read::object(body, MAX_BODY).map_err(Error::body)
}

async fn channels(state: &StandIn) -> Result<Vec<Channel>> {
    let rows: Vec<(String, String, String, bool)> =
        sqlx::query_as("SELECT id, name, platform, active FROM channels ORDER BY id")
            .fetch_all(&state.db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, platform, active)| Channel {
            id,
            name,
            platform,
            active,
        })
        .collect())
}

async fn list_channels(State(state): State<StandIn>) -> Result<Json<Items<Channel>>> {
    Ok(Json(Items {
        items: channels(&state).await?,
    }))
}

/// The chat a request names: a known channel, and on WhatsApp a phone number as contact.
async fn chat(state: &StandIn, body: &Value, at: &str) -> Result<(Channel, String)> {
    let field = |name: &str| -> Result<String> {
        match body.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            _ => Err(Error::chat(format!(
                "Chat id error: {at}{name} is required (a string)."
            ))),
        }
    };
    let channel_id = field("channelId")?;
    let contact_id = field("contactId")?;
    let channel = channels(state)
        .await?
        .into_iter()
        .find(|c| c.id == channel_id)
        .ok_or_else(|| {
            Error::chat(format!(
                "Chat id error: no channel {channel_id:?}; list them with GET /v2.0/channels."
            ))
        })?;
    if channel.platform == "whatsapp" {
        let number = if contact_id.starts_with('+') {
            contact_id.clone()
        } else {
            format!("+{contact_id}")
        };
        if !read::is_phone(&number) {
            return Err(Error::chat(format!(
                "Chat id error: on WhatsApp {at}contactId is the customer's phone number with its country code, such as 5491155551234; got {contact_id:?}."
            )));
        }
    }
    Ok((channel, contact_id))
}

/// Checks one message of a send: exactly one of text (with optional buttons), media,
/// location or contact.
fn check_message(message: &Value, at: &str) -> Result<()> {
    let Some(fields) = message.as_object() else {
        return Err(Error::body(format!("{at} must be an object.")));
    };
    let kinds: Vec<&str> = ["text", "media", "location", "contact"]
        .into_iter()
        .filter(|k| fields.contains_key(*k))
        .collect();
    if kinds.len() != 1 {
        return Err(Error::body(format!(
            "{at} must have exactly one of text, media, location or contact; it has {}.",
            if kinds.is_empty() {
                "none".to_string()
            } else {
                kinds.join(" and ")
            }
        )));
    }
    for name in fields.keys() {
        if !["text", "buttons", "media", "location", "contact"].contains(&name.as_str()) {
            return Err(Error::body(format!("{at}.{name} is not a message field.")));
        }
    }
    match kinds[0] {
        "text" => {
            let text = fields["text"].as_str().unwrap_or("");
            if text.trim().is_empty() || text.chars().count() > 4096 {
                return Err(Error::body(format!(
                    "{at}.text must be 1 to 4096 characters."
                )));
            }
            if let Some(buttons) = fields.get("buttons") {
                let list = buttons.as_array().filter(|b| (1..=3).contains(&b.len()));
                let Some(list) = list else {
                    return Err(Error::body(format!(
                        "{at}.buttons must be a list of 1 to 3 buttons."
                    )));
                };
                for (i, button) in list.iter().enumerate() {
                    let title = button.get("title").and_then(Value::as_str).unwrap_or("");
                    if title.trim().is_empty() || title.chars().count() > 20 {
                        return Err(Error::body(format!(
                            "{at}.buttons[{i}].title must be 1 to 20 characters."
                        )));
                    }
                }
            }
        }
        "media" => {
            if fields.contains_key("buttons") {
                return Err(Error::body(format!("{at}.buttons go with a text only.")));
            }
            let media = &fields["media"];
            let url = media.get("url").and_then(Value::as_str).unwrap_or("");
            if !read::is_http_url(url) {
                return Err(Error::body(format!(
                    "{at}.media.url must be an http(s) URL."
                )));
            }
            let mime = media.get("mimeType").and_then(Value::as_str).unwrap_or("");
            let shaped = mime
                .split_once('/')
                .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty());
            if !shaped {
                return Err(Error::body(format!(
                    "{at}.media.mimeType must be a MIME type, such as image/png."
                )));
            }
        }
        "location" => {
            let location = &fields["location"];
            let lat = location.get("latitude").and_then(Value::as_f64);
            let lon = location.get("longitude").and_then(Value::as_f64);
            let valid = lat.is_some_and(|l| (-90.0..=90.0).contains(&l))
                && lon.is_some_and(|l| (-180.0..=180.0).contains(&l));
            if !valid {
                return Err(Error::body(format!(
                    "{at}.location needs latitude (-90 to 90) and longitude (-180 to 180) as numbers."
                )));
            }
        }
        _ => {
            let contact = &fields["contact"];
            let name = contact.get("name").and_then(Value::as_str).unwrap_or("");
            let phone = contact.get("phone").and_then(Value::as_str).unwrap_or("");
            if name.trim().is_empty() || !read::is_phone(phone) {
                return Err(Error::body(format!(
                    "{at}.contact needs a name and a phone with its country code, such as +5491155551234."
                )));
            }
        }
    }
    Ok(())
}

async fn send_messages(
    State(state): State<StandIn>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<Sent>> {
    let body = object(body)?;
    for name in body.as_object().map(|o| o.keys()).into_iter().flatten() {
        if !["chat", "messages", "webhookPayload"].contains(&name.as_str()) {
            return Err(Error::body(format!(
                "{name} is not a field of send-messages: use chat, messages and webhookPayload."
            )));
        }
    }
    let Some(chat_body) = body.get("chat").filter(|c| c.is_object()) else {
        return Err(Error::chat(
            "Chat id error: chat is required, with channelId and contactId.",
        ));
    };
    let (channel, contact_id) = chat(&state, chat_body, "chat.").await?;
    let messages = body
        .get("messages")
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty() && m.len() <= 10)
        .ok_or_else(|| Error::body("messages must be a list of 1 to 10 messages."))?;
    for (i, message) in messages.iter().enumerate() {
        check_message(message, &format!("messages[{i}]"))?;
    }
    let webhook_payload = match body.get("webhookPayload") {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => Some(Value::Object(o.clone())),
        Some(_) => return Err(Error::body("webhookPayload must be an object.")),
    };
    let now = state.clock.now_ms();
    let mut ids_sent = Vec::with_capacity(messages.len());
    for message in messages {
        let id = format!("bmm_{}", ids::base62(16));
        sqlx::query(
            "INSERT INTO messages (id, channel_id, contact_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&channel.id)
        .bind(&contact_id)
        .bind(message.to_string())
        .bind(now)
        .execute(&state.db)
        .await?;
        ids_sent.push(id);
    }
    // The messages the API sends are the bot's; then each is delivered.
    for (id, message) in ids_sent.iter().zip(messages) {
        let sent = Said {
            channel_id: &channel.id,
            contact_id: &contact_id,
            message_id: Some(id),
            webhook_payload: webhook_payload.as_ref(),
            variables: None,
        };
        notify(&state, &sent, MessageType::Bot, message.clone()).await?;
        notify(
            &state,
            &sent,
            MessageType::Status,
            json!({"status": "delivered"}),
        )
        .await?;
    }
    Ok(Json(Sent {
        chat_id: format!("{}:{}", channel.id, contact_id),
        message_ids: ids_sent,
    }))
}

/// What a notification is about.
struct Said<'a> {
    channel_id: &'a str,
    contact_id: &'a str,
    message_id: Option<&'a str>,
    webhook_payload: Option<&'a Value>,
    variables: Option<&'a Value>,
}

/// Sends a Message and Status notification to every webhook whose channels and message
/// types select it. Deliveries run in the background; each is recorded with its outcome.
async fn notify(
    state: &StandIn,
    said: &Said<'_>,
    message_type: MessageType,
    content: Value,
) -> Result<()> {
    for webhook in webhooks(state).await? {
        let selected = webhook.kind == WebhookKind::MessageStatus
            && webhook.channels.iter().any(|c| c == said.channel_id)
            && webhook.message_types.contains(&message_type);
        if !selected {
            continue;
        }
        let notification = Notification {
            id: format!("bmn_{}", ids::base62(16)),
            kind: WebhookKind::MessageStatus,
            message_type,
            channel_id: said.channel_id.to_string(),
            contact_id: said.contact_id.to_string(),
            message_id: said.message_id.map(str::to_string),
            content: content.clone(),
            webhook_payload: said.webhook_payload.cloned(),
            variables: said
                .variables
                .filter(|_| webhook.include_variables)
                .cloned(),
            creation_time: state.clock.now(),
        };
        let payload = serde_json::to_vec(&notification).unwrap_or_default();
        let state = state.clone();
        tokio::spawn(async move {
            let headers: Vec<(&str, String)> = webhook
                .security_token
                .iter()
                .map(|t| (WEBHOOK_TOKEN_HEADER, t.clone()))
                .collect();
            let (status, error) =
                crate::standins::deliver(&state.http, &webhook.url, &headers, &payload).await;
            let recorded = sqlx::query(
                "INSERT INTO notifications
                   (id, webhook_id, message_type, payload, delivered_status, delivery_error, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&notification.id)
            .bind(&webhook.id)
            .bind(message_type.as_str())
            .bind(String::from_utf8_lossy(&payload).as_ref())
            .bind(status.map(i64::from))
            .bind(&error)
            .bind(state.clock.now_ms())
            .execute(&state.db)
            .await;
            if let Err(error) = recorded {
                tracing::warn!(%error, "a Botmaker notification could not be recorded");
            }
        });
    }
    Ok(())
}

/// A webhook's configuration as a request gives it. Unknown fields and misspelled message
/// types are refused: a filter that is not understood must not select nothing silently.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WebhookConfig {
    #[serde(rename = "type")]
    kind: WebhookKind,
    url: String,
    #[serde(default)]
    security_token: Option<String>,
    channels: Vec<String>,
    #[serde(default)]
    message_types: Vec<MessageType>,
    #[serde(default)]
    include_variables: bool,
}

async fn webhook_config(state: &StandIn, body: Value, id: String) -> Result<Webhook> {
    let config: WebhookConfig = serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        Error::body(format!(
            "{}: {}",
            if path == "." {
                "the webhook".to_string()
            } else {
                path
            },
            e.inner()
        ))
    })?;
    if !read::is_http_url(&config.url) {
        return Err(Error::body(
            "url must be an http(s) URL: the public endpoint the notifications are sent to.",
        ));
    }
    if config.channels.is_empty() {
        return Err(Error::body("channels: at least one channel is required."));
    }
    let known = channels(state).await?;
    for channel in &config.channels {
        if !known.iter().any(|c| &c.id == channel) {
            return Err(Error::body(format!(
                "channels: no channel {channel:?}; list them with GET /v2.0/channels."
            )));
        }
    }
    match config.kind {
        WebhookKind::MessageStatus if config.message_types.is_empty() => {
            return Err(Error::body(format!(
                "messageTypes: a Message and Status webhook carries at least one of {}.",
                MessageType::ALL.map(MessageType::as_str).join(", ")
            )))
        }
        WebhookKind::WhatsappManagement | WebhookKind::AsyncApiResults
            if !config.message_types.is_empty() =>
        {
            return Err(Error::body(
                "messageTypes: only a Message and Status webhook filters by message type.",
            ))
        }
        _ => {}
    }
    let token = config
        .security_token
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if token.as_ref().is_some_and(|t| t.len() > 256) {
        return Err(Error::body("securityToken must be at most 256 characters."));
    }
    let mut message_types = config.message_types;
    message_types.dedup();
    Ok(Webhook {
        id,
        kind: config.kind,
        url: config.url,
        security_token: token,
        channels: config.channels,
        message_types,
        include_variables: config.include_variables,
    })
}

async fn webhooks(state: &StandIn) -> Result<Vec<Webhook>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT body FROM webhooks ORDER BY created_at, id")
        .fetch_all(&state.db)
        .await?;
    rows.into_iter()
        .map(|(body,)| {
            serde_json::from_str(&body).map_err(|e| {
                Error::from(sqlx::Error::Decode(
                    format!("a stored webhook is not readable: {e}").into(),
                ))
            })
        })
        .collect()
}

async fn find_webhook(state: &StandIn, id: &str) -> Result<Webhook> {
    webhooks(state)
        .await?
        .into_iter()
        .find(|w| w.id == id)
        .ok_or_else(|| Error::not_found(format!("No webhook {id:?}.")))
}

async fn save(state: &StandIn, webhook: &Webhook) -> Result<()> {
    let body = serde_json::to_string(webhook).unwrap_or_default();
    sqlx::query(
        "INSERT INTO webhooks (id, body, created_at) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
    )
    .bind(&webhook.id)
    .bind(body)
    .bind(state.clock.now_ms())
    .execute(&state.db)
    .await?;
    Ok(())
}

async fn list_webhooks(State(state): State<StandIn>) -> Result<Json<Items<Webhook>>> {
    Ok(Json(Items {
        items: webhooks(&state).await?,
    }))
}

async fn create_webhook(
    State(state): State<StandIn>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<Webhook>> {
    let body = object(body)?;
    let webhook = webhook_config(&state, body, format!("bmw_{}", ids::base62(12))).await?;
    save(&state, &webhook).await?;
    Ok(Json(webhook))
}

async fn get_webhook(
    State(state): State<StandIn>,
    Path(id): Path<String>,
) -> Result<Json<Webhook>> {
    Ok(Json(find_webhook(&state, &id).await?))
}

async fn update_webhook(
    State(state): State<StandIn>,
    Path(id): Path<String>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<Webhook>> {
    let existing = find_webhook(&state, &id).await?;
    let body = object(body)?;
    let webhook = webhook_config(&state, body, existing.id).await?;
    save(&state, &webhook).await?;
    Ok(Json(webhook))
}

async fn delete_webhook(
    State(state): State<StandIn>,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let existing = find_webhook(&state, &id).await?;
    sqlx::query("DELETE FROM webhooks WHERE id = ?")
        .bind(&existing.id)
        .execute(&state.db)
        .await?;
    Ok(Json(json!({"id": existing.id, "deleted": true})))
}

/// Plays a user (or, with `"from": "agent"`, a human agent) writing in a chat. `variables`
/// are sent to the webhooks that include variables.
async fn inbound(
    State(state): State<StandIn>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<Value>> {
    let body = object(body)?;
    let (channel, contact_id) = chat(&state, &body, "").await?;
    let message_type = match body.get("from").and_then(Value::as_str).unwrap_or("user") {
        "user" => MessageType::User,
        "agent" => MessageType::Agent,
        other => {
            return Err(Error::body(format!(
                "from {other:?} must be user or agent."
            )))
        }
    };
    let text = read::required(&body, "text").map_err(Error::body)?;
    let id = format!("bmm_{}", ids::base62(16));
    let said = Said {
        channel_id: &channel.id,
        contact_id: &contact_id,
        message_id: Some(&id),
        webhook_payload: None,
        variables: body.get("variables").filter(|v| v.is_object()),
    };
    notify(&state, &said, message_type, json!({"text": text})).await?;
    Ok(Json(
        json!({"messageId": id, "messageType": message_type.as_str()}),
    ))
}

/// Plays a platform event in a chat, such as `user_blocked`.
async fn platform_event(
    State(state): State<StandIn>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<Value>> {
    let body = object(body)?;
    let (channel, contact_id) = chat(&state, &body, "").await?;
    let event = read::required(&body, "event").map_err(Error::body)?;
    let said = Said {
        channel_id: &channel.id,
        contact_id: &contact_id,
        message_id: None,
        webhook_payload: None,
        variables: None,
    };
    notify(&state, &said, MessageType::Event, json!({"event": event})).await?;
    Ok(Json(json!({"event": event})))
}
