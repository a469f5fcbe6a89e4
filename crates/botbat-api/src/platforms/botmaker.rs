//! Botmaker (`https://api.botmaker.com/v2.0`): the `access-token` header, channels, the
//! chat action that sends messages, and webhooks that present a static `auth-bm-token` and
//! filter what they carry by message type.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The production base URL a new Botmaker connection starts from.
pub const DEFAULT_BASE_URL: &str = "https://api.botmaker.com/v2.0";
/// The OpenAPI description of the documented endpoints, which the console ships for Try It.
pub const OPENAPI_JSON: &str = include_str!("../../openapi/botmaker.json");
/// The header that carries the API token.
pub const TOKEN_HEADER: &str = "access-token";
/// The header a webhook's security token is sent in.
pub const WEBHOOK_TOKEN_HEADER: &str = "auth-bm-token";

/// `{"code", "message"}`: the 400 (body or chat id) and 429 (per second) of the docs, and the
/// 401/404 any API has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// One channel of the bot (`GET /channels`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub id: String,
    pub name: String,
    /// `whatsapp`, `webchat`, `instagram`.
    pub platform: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// The chat a send goes to: on WhatsApp the contact id is the phone number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Chat {
    pub channel_id: String,
    pub contact_id: String,
}

/// `POST /chats-actions/send-messages`. Each message is a text (optionally a button menu),
/// a media, a location or a contact; `webhookPayload` is echoed in the webhook
/// notifications the send causes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessages {
    pub chat: Chat,
    pub messages: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_payload: Option<Value>,
}

/// The answer to a send: one id per message, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sent {
    pub chat_id: String,
    pub message_ids: Vec<String>,
}

/// The three kinds of webhook the platform has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookKind {
    MessageStatus,
    WhatsappManagement,
    AsyncApiResults,
}

/// What a Message and Status webhook may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageType {
    /// Messages the chatbot generated.
    Bot,
    /// Incoming messages from the user.
    User,
    /// Messages a human agent sent.
    Agent,
    /// Delivered, read, received, error for sent messages.
    Status,
    /// The same, for templates (HSM) only.
    HsmStatus,
    /// Platform events: user blocked or unblocked, bot changed, …
    Event,
}

impl MessageType {
    pub const ALL: [MessageType; 6] = [
        Self::Bot,
        Self::User,
        Self::Agent,
        Self::Status,
        Self::HsmStatus,
        Self::Event,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bot => "bot",
            Self::User => "user",
            Self::Agent => "agent",
            Self::Status => "status",
            Self::HsmStatus => "hsm_status",
            Self::Event => "event",
        }
    }

    /// How the docs name it.
    pub fn title(self) -> &'static str {
        match self {
            Self::Bot => "Bot message",
            Self::User => "User message",
            Self::Agent => "Agent message",
            Self::Status => "Message status",
            Self::HsmStatus => "HSM status",
            Self::Event => "Event message",
        }
    }
}

/// A webhook as configured: URL, optional security token, at least one channel, and the
/// message types it carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: WebhookKind,
    pub url: String,
    /// Sent as `auth-bm-token`; `None` sends no token.
    pub security_token: Option<String>,
    pub channels: Vec<String>,
    pub message_types: Vec<MessageType>,
    pub include_variables: bool,
}

/// A Message and Status notification: `messageType` says which of the filters let it
/// through, and `webhookPayload` is what the send that caused it asked to echo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: WebhookKind,
    pub message_type: MessageType,
    pub channel_id: String,
    pub contact_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The message itself, the status (`delivered`, `read`, …), or the event.
    pub content: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_payload: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Value>,
    pub creation_time: chrono::DateTime<chrono::Utc>,
}
