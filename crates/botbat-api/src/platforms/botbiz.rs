//! Botbiz (`https://api.botbiz.io/v1`): Bearer keys, `{"error":{"code","message","status"}}`
//! errors, per-key per-minute limits announced in `X-RateLimit-*` headers, WhatsApp accounts
//! connected by scanning a QR code, and webhooks signed in `X-Botbiz-Signature`.

use serde::{Deserialize, Serialize};

/// The production base URL a new Botbiz connection starts from.
pub const DEFAULT_BASE_URL: &str = "https://api.botbiz.io/v1";

/// The OpenAPI description of the documented endpoints. The console ships it for Try It and
/// the stand-in serves it at `/v1/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../../openapi/botbiz.json");

pub const RATE_LIMIT_LIMIT: &str = "x-ratelimit-limit";
pub const RATE_LIMIT_REMAINING: &str = "x-ratelimit-remaining";
/// Unix time, in seconds, at which the window resets.
pub const RATE_LIMIT_RESET: &str = "x-ratelimit-reset";

/// The webhook event type of an incoming WhatsApp message.
pub const MESSAGE_RECEIVED: &str = "whatsapp.message.received";

/// The error codes of the docs' table, one per status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: a parameter is missing or malformed.
    InvalidRequest,
    /// 401: no valid API key.
    Unauthorized,
    /// 403: the key lacks permission for the request.
    Forbidden,
    /// 404: no such resource.
    NotFound,
    /// 429: the key's per-minute limit is spent.
    RateLimitExceeded,
    /// 500: something went wrong on Botbiz's end.
    ServerError,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::RateLimitExceeded => 429,
            Self::ServerError => 500,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    pub status: u16,
}

/// Every Botbiz error response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Created, waiting for its QR code to be scanned with the phone.
    Pending,
    Connected,
}

/// A WhatsApp Business account connected to Botbiz (`wha_…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatsAppAccount {
    pub id: String,
    pub phone_number: String,
    pub name: String,
    pub status: AccountStatus,
    pub qr_code_url: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// `POST /whatsapp/accounts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectAccount {
    pub phone_number: String,
    pub name: String,
}

/// `POST /whatsapp/messages`: `content` is the text, or the media's URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendMessage {
    pub to: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub content: String,
}

/// The message types a send accepts; all but `text` carry a media URL.
pub const MESSAGE_TYPES: [&str; 5] = ["text", "image", "document", "audio", "video"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    pub account_id: String,
    pub to: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub content: String,
    pub status: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A list response: `{"data": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
}

/// The `data` of a `whatsapp.message.received` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedMessage {
    pub account_id: String,
    pub message_id: String,
    pub from: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub content: String,
    pub timestamp: chrono::DateTime<chrono::Utc>,
}

/// A webhook delivery's body, as documented: `created` is Unix time in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created: i64,
    pub data: ReceivedMessage,
}
