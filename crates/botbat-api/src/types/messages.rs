//! `/v1/messages`: channels, message bodies and the delivery timeline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::openapi::Object;
use utoipa::ToSchema;

use crate::contract::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
pub enum Channel {
    Whatsapp,
    Sms,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
    /// An inbound message, from the contact.
    Received,
}

/// The text of a WhatsApp message.
pub const WHATSAPP_BODY: Text = Text::name(4096);
/// The text of an SMS (ten concatenated segments).
pub const SMS_BODY: Text = Text::name(1600);

impl Channel {
    /// The rule for free text sent on this channel.
    pub fn body(self) -> Text {
        match self {
            Channel::Whatsapp => WHATSAPP_BODY,
            Channel::Sms => SMS_BODY,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Whatsapp => "whatsapp",
            Channel::Sms => "sms",
        }
    }
}

pub(crate) fn message_body_schema() -> Object {
    WHATSAPP_BODY.nullable_schema(
        "Free text, not blank: 1 to 4096 characters on WhatsApp, 1 to 1600 on SMS. Give this or `template_id`, not both.",
    )
}

/// The forms of a message: an approved template on WhatsApp, or text on either channel
/// (shorter on SMS). Added as `oneOf` to the schemas of the requests that send one.
pub fn message_forms() -> serde_json::Value {
    let text = |channel: Channel| {
        serde_json::json!({
            "title": format!("Text on {}", channel.as_str()),
            "required": ["body"],
            "properties": {
                "channel": {"const": channel.as_str()},
                "body": {"type": "string", "maxLength": channel.body().max},
                "template_id": {"type": "null"}
            }
        })
    };
    serde_json::json!([
        {
            "title": "Template on whatsapp",
            "required": ["template_id"],
            "properties": {
                "channel": {"const": Channel::Whatsapp.as_str()},
                "template_id": {"type": "string"},
                "body": {"type": "null"}
            }
        },
        text(Channel::Whatsapp),
        text(Channel::Sms),
    ])
}

/// `POST /v1/messages/send`: a template (WhatsApp, approved, with its variables) or a body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SendMessageRequest {
    /// `ct_…`; the contact must exist and have a phone number.
    pub contact_id: String,
    pub channel: Channel,
    /// An approved template (WhatsApp only). Give this or `body`, not both.
    pub template_id: Option<String>,
    /// Values for the template's `{{1}}`, `{{2}}`, … in order, one per variable.
    #[serde(default)]
    pub variables: Vec<String>,
    #[schema(schema_with = message_body_schema)]
    pub body: Option<String>,
}

/// A message and its delivery timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Message {
    /// `msg_…`
    pub id: String,
    pub contact_id: String,
    pub channel: Channel,
    pub direction: crate::Direction,
    /// The campaign that sent it, if one did.
    pub campaign_id: Option<String>,
    /// The conversation it belongs to, if any.
    pub conversation_id: Option<String>,
    pub template_id: Option<String>,
    /// The text as delivered (template variables filled in).
    pub body: String,
    pub status: MessageStatus,
    pub queued_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub failure_reason: Option<String>,
}
