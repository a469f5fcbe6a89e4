//! Events, webhook deliveries and the listen tunnel: what the platform tells an
//! integration, and the record of how each telling went.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};

/// Every type of event the platform emits: a closed list, so a filter or a subscription
/// naming anything else is refused, and the document lists the names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    #[serde(rename = "message.queued")]
    MessageQueued,
    #[serde(rename = "message.sent")]
    MessageSent,
    #[serde(rename = "message.delivered")]
    MessageDelivered,
    #[serde(rename = "message.read")]
    MessageRead,
    #[serde(rename = "message.failed")]
    MessageFailed,
    #[serde(rename = "message.received")]
    MessageReceived,
    #[serde(rename = "contact.created")]
    ContactCreated,
    #[serde(rename = "contact.updated")]
    ContactUpdated,
    #[serde(rename = "contact.deleted")]
    ContactDeleted,
    #[serde(rename = "contact.merged")]
    ContactMerged,
    #[serde(rename = "campaign.scheduled")]
    CampaignScheduled,
    #[serde(rename = "campaign.started")]
    CampaignStarted,
    #[serde(rename = "campaign.completed")]
    CampaignCompleted,
    #[serde(rename = "campaign.failed")]
    CampaignFailed,
    #[serde(rename = "conversation.created")]
    ConversationCreated,
    #[serde(rename = "conversation.assigned")]
    ConversationAssigned,
    #[serde(rename = "conversation.resolved")]
    ConversationResolved,
    #[serde(rename = "template.submitted")]
    TemplateSubmitted,
    #[serde(rename = "template.approved")]
    TemplateApproved,
    #[serde(rename = "template.rejected")]
    TemplateRejected,
    #[serde(rename = "import.completed")]
    ImportCompleted,
    #[serde(rename = "rate_limit.exceeded")]
    RateLimitExceeded,
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl EventType {
    pub const ALL: [EventType; 23] = [
        EventType::MessageQueued,
        EventType::MessageSent,
        EventType::MessageDelivered,
        EventType::MessageRead,
        EventType::MessageFailed,
        EventType::MessageReceived,
        EventType::ContactCreated,
        EventType::ContactUpdated,
        EventType::ContactDeleted,
        EventType::ContactMerged,
        EventType::CampaignScheduled,
        EventType::CampaignStarted,
        EventType::CampaignCompleted,
        EventType::CampaignFailed,
        EventType::ConversationCreated,
        EventType::ConversationAssigned,
        EventType::ConversationResolved,
        EventType::TemplateSubmitted,
        EventType::TemplateApproved,
        EventType::TemplateRejected,
        EventType::ImportCompleted,
        EventType::RateLimitExceeded,
        EventType::WebhookTest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::MessageQueued => "message.queued",
            EventType::MessageSent => "message.sent",
            EventType::MessageDelivered => "message.delivered",
            EventType::MessageRead => "message.read",
            EventType::MessageFailed => "message.failed",
            EventType::MessageReceived => "message.received",
            EventType::ContactCreated => "contact.created",
            EventType::ContactUpdated => "contact.updated",
            EventType::ContactDeleted => "contact.deleted",
            EventType::ContactMerged => "contact.merged",
            EventType::CampaignScheduled => "campaign.scheduled",
            EventType::CampaignStarted => "campaign.started",
            EventType::CampaignCompleted => "campaign.completed",
            EventType::CampaignFailed => "campaign.failed",
            EventType::ConversationCreated => "conversation.created",
            EventType::ConversationAssigned => "conversation.assigned",
            EventType::ConversationResolved => "conversation.resolved",
            EventType::TemplateSubmitted => "template.submitted",
            EventType::TemplateApproved => "template.approved",
            EventType::TemplateRejected => "template.rejected",
            EventType::ImportCompleted => "import.completed",
            EventType::RateLimitExceeded => "rate_limit.exceeded",
            EventType::WebhookTest => "webhook.test",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a webhook subscribes to every event type with.
pub const ALL_EVENTS: &str = "*";

/// An item of a webhook's `event_types` or of the listen tunnel's `types`: an event type,
/// or `"*"` for all of them. Carried as text; this type only publishes the schema.
pub struct EventSubscription;

impl utoipa::PartialSchema for EventSubscription {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("An event type, or `*` for every type."))
            .enum_values(Some(
                EventType::ALL
                    .iter()
                    .map(|t| t.as_str())
                    .chain([ALL_EVENTS]),
            ))
            .into()
    }
}

impl ToSchema for EventSubscription {}

impl EventSubscription {
    /// Whether `s` names an event type or is `"*"`.
    pub fn is_valid(s: &str) -> bool {
        s == ALL_EVENTS || EventType::parse(s).is_some()
    }
}

/// Something that happened in the organisation. Webhook bodies are exactly this JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Event {
    /// `evt_…`; also the `webhook-id` of its deliveries, so receivers can deduplicate.
    pub id: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub event_type: String,
    pub created_at: DateTime<Utc>,
    pub livemode: bool,
    /// The resource as it was when the event happened.
    #[schema(value_type = Object)]
    #[ts(type = "Record<string, unknown>")]
    pub data: serde_json::Value,
}

/// Filters of `GET /v1/events`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventFilter {
    /// One event type, e.g. `message.delivered`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub event_type: Option<EventType>,
    /// RFC 3339; inclusive.
    pub created_from: Option<DateTime<Utc>>,
    /// RFC 3339; exclusive.
    pub created_to: Option<DateTime<Utc>>,
}

/// `POST /v1/sandbox/events`: the Event Simulator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SimulateEventRequest {
    /// Any type from `GET /v1/events/types`, e.g. `message.delivered`.
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    #[schema(value_type = EventType)]
    pub event_type: String,
    /// Fields merged over a realistic example of this type's data (top level keys replace).
    #[serde(default)]
    #[ts(optional, type = "Record<string, unknown>")]
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
    /// Make the first delivery attempt to every endpoint fail (recorded, then retried on
    /// the schedule), to see failure handling without breaking a server.
    #[serde(default)]
    #[ts(optional)]
    pub force_delivery_failure: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
pub enum DeliveryStatus {
    /// Not yet answered with a 2xx; another attempt is scheduled at `next_attempt_at`.
    Pending,
    Succeeded,
    /// Out of attempts, the endpoint answered 410, or it was disabled or deleted.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Succeeded,
            DeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

/// Why an attempt was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
pub enum AttemptTrigger {
    /// The first attempt, right after the event.
    Event,
    /// A retry on the schedule.
    Retry,
    /// `POST …/deliveries/{id}/resend`.
    Resend,
}

/// One HTTP request to the endpoint and what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct DeliveryAttempt {
    /// 1 for the first attempt.
    pub number: u32,
    pub trigger: AttemptTrigger,
    pub at: DateTime<Utc>,
    /// The signed headers sent (`webhook-id`, `webhook-timestamp`, `webhook-signature`, …).
    pub request_headers: BTreeMap<String, String>,
    /// `null` when no response came (timeout, refused connection, forced failure).
    pub response_status: Option<u16>,
    /// The first 4 KiB of the response body.
    pub response_body: Option<String>,
    #[ts(type = "number | null")]
    pub latency_ms: Option<u64>,
    pub error: Option<String>,
}

/// One event on its way to one endpoint, with every attempt made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Delivery {
    /// `dlv_…`
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The exact body every attempt sends.
    pub request_body: String,
    pub attempts: Vec<DeliveryAttempt>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Filters of `GET /v1/webhooks/{id}/deliveries`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    pub status: Option<DeliveryStatus>,
    /// One event type.
    pub event_type: Option<EventType>,
    /// RFC 3339: deliveries created at or after this time.
    pub created_from: Option<DateTime<Utc>>,
}

/// How long the previous secret keeps signing after a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
pub enum SecretOverlap {
    #[serde(rename = "0")]
    None,
    #[serde(rename = "1h")]
    OneHour,
    #[serde(rename = "24h")]
    OneDay,
    #[serde(rename = "7d")]
    SevenDays,
}

impl SecretOverlap {
    pub fn seconds(self) -> i64 {
        match self {
            SecretOverlap::None => 0,
            SecretOverlap::OneHour => 3_600,
            SecretOverlap::OneDay => 86_400,
            SecretOverlap::SevenDays => 604_800,
        }
    }
}

/// `POST /v1/webhooks/{id}/rotate_secret`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RotateWebhookSecretRequest {
    /// How long the old secret keeps signing beside the new one: `0`, `1h`, `24h` or `7d`.
    pub overlap: SecretOverlap,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RotatedWebhookSecret {
    pub webhook_id: String,
    /// `whsec_…`: shown this once.
    pub secret: String,
    /// Until then deliveries carry two signatures, one per secret.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
}

/// Query of `GET /v1/webhooks/listen`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListenQuery {
    /// The last event this listener acknowledged: everything after it is sent first, in
    /// order. Omit to start with the next event.
    pub after: Option<String>,
    /// Event types to receive, separated by commas (no spaces); all when omitted.
    #[param(value_type = Option<Vec<EventSubscription>>, min_items = 1, style = Form, explode = false)]
    pub types: Option<String>,
    /// Seconds between heartbeats, 1 to 60; 15 when omitted.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 60)]
    pub heartbeat_seconds: Option<String>,
}

/// A frame the platform sends on the listen WebSocket (JSON text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ListenFrame {
    /// First frame: the secret this session's events are signed with.
    Ready {
        session_id: String,
        signing_secret: String,
        /// The `after` this session resumed from.
        resumed_after: Option<String>,
        heartbeat_seconds: u32,
    },
    /// An event with the headers and the exact body a delivery would carry.
    Event {
        event_id: String,
        event_type: String,
        headers: BTreeMap<String, String>,
        body: String,
    },
    Heartbeat {
        at: DateTime<Utc>,
        /// The newest event the platform has, so a listener can tell it is up to date.
        latest_event_id: Option<String>,
    },
}

/// A frame the listener sends back: the result of handling one event locally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ListenReply {
    Ack {
        event_id: String,
        /// The local server's status, if the event was forwarded.
        status: Option<u16>,
        error: Option<String>,
    },
}

/// An event type as `GET /v1/events/types` describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct EventTypeInfo {
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub event_type: String,
    /// messages, contacts, campaigns, conversations, templates, imports or rate limits.
    pub group: String,
    pub description: String,
    /// A realistic `data` for this type; the Event Simulator starts from it.
    #[schema(value_type = Object)]
    #[ts(type = "Record<string, unknown>")]
    pub example: serde_json::Value,
}
