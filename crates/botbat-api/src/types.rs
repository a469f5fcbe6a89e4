//! Resources and request bodies of the v1 API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};

/// A permission carried by an API key. Each endpoint needs at most one.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema, TS,
)]
pub enum Scope {
    #[serde(rename = "contacts:read")]
    ContactsRead,
    #[serde(rename = "contacts:write")]
    ContactsWrite,
    #[serde(rename = "messages:read")]
    MessagesRead,
    #[serde(rename = "messages:send")]
    MessagesSend,
    #[serde(rename = "campaigns:read")]
    CampaignsRead,
    #[serde(rename = "campaigns:write")]
    CampaignsWrite,
    #[serde(rename = "conversations:read")]
    ConversationsRead,
    #[serde(rename = "conversations:write")]
    ConversationsWrite,
    #[serde(rename = "templates:read")]
    TemplatesRead,
    #[serde(rename = "templates:write")]
    TemplatesWrite,
    #[serde(rename = "webhooks:read")]
    WebhooksRead,
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
    #[serde(rename = "usage:read")]
    UsageRead,
    #[serde(rename = "keys:manage")]
    KeysManage,
}

impl Scope {
    pub const ALL: [Scope; 14] = [
        Scope::ContactsRead,
        Scope::ContactsWrite,
        Scope::MessagesRead,
        Scope::MessagesSend,
        Scope::CampaignsRead,
        Scope::CampaignsWrite,
        Scope::ConversationsRead,
        Scope::ConversationsWrite,
        Scope::TemplatesRead,
        Scope::TemplatesWrite,
        Scope::WebhooksRead,
        Scope::WebhooksManage,
        Scope::UsageRead,
        Scope::KeysManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ContactsRead => "contacts:read",
            Scope::ContactsWrite => "contacts:write",
            Scope::MessagesRead => "messages:read",
            Scope::MessagesSend => "messages:send",
            Scope::CampaignsRead => "campaigns:read",
            Scope::CampaignsWrite => "campaigns:write",
            Scope::ConversationsRead => "conversations:read",
            Scope::ConversationsWrite => "conversations:write",
            Scope::TemplatesRead => "templates:read",
            Scope::TemplatesWrite => "templates:write",
            Scope::WebhooksRead => "webhooks:read",
            Scope::WebhooksManage => "webhooks:manage",
            Scope::UsageRead => "usage:read",
            Scope::KeysManage => "keys:manage",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    pub fn description(self) -> &'static str {
        match self {
            Scope::ContactsRead => "Read contacts, search them and follow import jobs.",
            Scope::ContactsWrite => "Create, update, delete and import contacts.",
            Scope::MessagesRead => "Read messages and their delivery status.",
            Scope::MessagesSend => "Send WhatsApp and SMS messages to contacts.",
            Scope::CampaignsRead => "Read campaigns and their results.",
            Scope::CampaignsWrite => "Create, update, delete, schedule and send campaigns.",
            Scope::ConversationsRead => "Read conversations with their message history.",
            Scope::ConversationsWrite => "Assign and resolve conversations.",
            Scope::TemplatesRead => "Read message templates and their approval state.",
            Scope::TemplatesWrite => "Create, edit, delete and submit message templates.",
            Scope::WebhooksRead => "Read webhook endpoints, events and delivery attempts.",
            Scope::WebhooksManage => {
                "Create, change and delete webhook endpoints, rotate signing secrets, resend deliveries."
            }
            Scope::UsageRead => "Read the request log and usage figures.",
            Scope::KeysManage => "Create, rotate and revoke API keys.",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The organisation's plan, which sets its rate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    Starter,
    Professional,
    Enterprise,
}

impl Plan {
    pub const ALL: [Plan; 3] = [Plan::Starter, Plan::Professional, Plan::Enterprise];

    /// Requests per second allowed to one key.
    pub fn per_key_per_second(self) -> u32 {
        match self {
            Plan::Starter => 5,
            Plan::Professional => 20,
            Plan::Enterprise => 50,
        }
    }

    /// Requests per minute allowed to the whole organisation.
    pub fn per_org_per_minute(self) -> u32 {
        match self {
            Plan::Starter => 300,
            Plan::Professional => 1_200,
            Plan::Enterprise => 5_000,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Starter => "starter",
            Plan::Professional => "professional",
            Plan::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Plan> {
        Plan::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Every list endpoint answers with this envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Pass as `?cursor=` to get the next page; `null` on the last page.
    pub cursor: Option<String>,
    #[ts(type = "number")]
    pub total: u64,
}

/// `?cursor=&limit=` of every list endpoint.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The `cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100; 25 when omitted. Kept as text so that a bad value is a
    /// 422 naming `limit`, not a parse failure.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

/// Where a key is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    Active,
    /// Rotated: still accepted until `expires_at`.
    Expiring,
    Expired,
    Revoked,
}

/// An API key as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    /// `bb_test_` or `bb_live_`.
    pub prefix: String,
    pub last_four: String,
    /// `bb_test_…a1b2`
    pub masked: String,
    pub scopes: Vec<Scope>,
    pub status: KeyStatus,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The key this one replaced by rotation.
    pub rotated_from: Option<String>,
    /// The key that replaced this one by rotation.
    pub replaced_by: Option<String>,
}

/// The create and rotate responses: the key plus its secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// The full secret. It is not stored and cannot be shown again.
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreateApiKeyRequest {
    /// What the key is for, e.g. "CRM integration". 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// At least one scope from `GET /v1/scopes`. A key can only grant scopes it holds itself.
    #[schema(value_type = Vec<Scope>, min_items = 1)]
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RotateApiKeyRequest {
    /// How long the old key keeps working: 0, 3600 (1 h), 86400 (24 h) or 604800 (7 d).
    #[ts(type = "number")]
    #[schema(schema_with = grace_period_schema)]
    pub grace_period_seconds: u64,
}

fn grace_period_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some([0u64, 3_600, 86_400, 604_800]))
        .description(Some(
            "Seconds the old key keeps working: 0, 3600, 86400 or 604800.",
        ))
        .build()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RotatedApiKey {
    /// The replacement, with its secret shown this once.
    pub new_key: CreatedApiKey,
    /// The rotated key, now `expiring` (or `expired` with a zero grace period).
    pub old_key: ApiKey,
}

/// An endpoint, as `GET /v1/scopes` names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
pub struct EndpointRef {
    pub method: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ScopeInfo {
    pub scope: Scope,
    pub description: String,
    pub endpoints: Vec<EndpointRef>,
}

/// One rate-limit window and how much of it is used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct LimitWindow {
    pub limit: u32,
    pub window_seconds: u32,
    pub used: u32,
    pub remaining: u32,
    pub resets_at: DateTime<Utc>,
}

/// `GET /v1/rate_limits`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RateLimits {
    pub plan: Plan,
    /// The key that made this request; `per_key` is its window.
    pub key_id: String,
    pub per_key: LimitWindow,
    pub per_org: LimitWindow,
}

/// The organisation the calling key belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub plan: Plan,
    /// `false` in the sandbox.
    pub livemode: bool,
}

/// `GET /v1/me`: who is calling, for connection tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Me {
    pub key: ApiKey,
    pub organization: Organization,
}

/// One metered request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct UsageRecord {
    /// Increases with every request: the sync watermark.
    #[ts(type = "number")]
    pub id: i64,
    pub time: DateTime<Utc>,
    pub key_id: String,
    pub method: String,
    /// The route template, e.g. `/v1/api_keys/{id}`.
    pub route: String,
    pub status: u16,
    pub latency_ms: f64,
    pub rate_limited: bool,
    /// The `Retry-After` a 429 carried.
    pub retry_after: Option<u32>,
    /// The `X-Request-Id` the request was answered with (absent from seeded history).
    #[serde(default)]
    pub request_id: Option<String>,
}

/// Filters of `GET /v1/usage/requests` and `GET /v1/usage/summary`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageQuery {
    /// RFC 3339; inclusive.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339; exclusive.
    pub to: Option<DateTime<Utc>>,
    pub key_id: Option<String>,
    /// Only requests that were (`true`) or were not (`false`) rate limited.
    pub rate_limited: Option<bool>,
    /// `asc` (oldest first, the default: for incremental sync) or `desc` (newest first).
    pub order: Option<String>,
}

/// Counts over a time range, for dashboards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct UsageSummary {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    #[ts(type = "number")]
    pub requests: u64,
    /// Responses with status 400 or above, 429s included.
    #[ts(type = "number")]
    pub errors: u64,
    #[ts(type = "number")]
    pub rate_limited: u64,
    /// `errors / requests`, 0 when there were none.
    pub error_rate: f64,
}

/// A webhook endpoint, as listed: the signing secret is never shown again after creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Why the platform disabled the endpoint (it answered 410 Gone), if it did.
    pub disabled_reason: Option<String>,
    /// `whsec_…a1b2`
    pub secret_masked: String,
    /// While set and in the future, the previous secret still signs beside the current one.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_…`: shown this once.
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreateWebhookRequest {
    pub url: String,
    /// Event types to receive, or `"*"` for all.
    #[schema(min_items = 1)]
    pub event_types: Vec<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct UpdateWebhookRequest {
    pub url: Option<String>,
    #[schema(min_items = 1)]
    pub event_types: Option<Vec<String>>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// `POST /v1/sandbox/faults`: make the next matching requests fail, to test retry logic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FaultRequest {
    /// HTTP method to match, e.g. `GET`.
    pub method: String,
    /// Route template to match, e.g. `/v1/me`.
    pub path: String,
    /// The status to answer with: 500, 502, 503 or 504.
    #[schema(minimum = 500, maximum = 504)]
    pub status: u16,
    /// How many matching requests fail, 1 to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Fault {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub remaining: u32,
}

/// The sandbox's clock, which can be moved forward to test expiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SandboxClock {
    pub now: DateTime<Utc>,
    #[ts(type = "number")]
    pub offset_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct AdvanceClockRequest {
    /// Seconds to move the sandbox clock forward, 1 to 31536000.
    #[ts(type = "number")]
    #[schema(minimum = 1, maximum = 31_536_000)]
    pub seconds: i64,
}

/// Every event type the platform emits, grouped as the console shows them.
pub const EVENT_TYPES: [&str; 24] = [
    "message.queued",
    "message.sent",
    "message.delivered",
    "message.read",
    "message.failed",
    "message.received",
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "contact.merged",
    "campaign.scheduled",
    "campaign.started",
    "campaign.completed",
    "campaign.failed",
    "conversation.created",
    "conversation.assigned",
    "conversation.resolved",
    "template.submitted",
    "template.approved",
    "template.rejected",
    "import.completed",
    "rate_limit.exceeded",
    "webhook.test",
    "*",
];

/// A person the organisation messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Contact {
    /// `ct_…`
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// E.164, e.g. `+14155550123`.
    pub phone: Option<String>,
    pub segment: Option<String>,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreateContactRequest {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    pub email: Option<String>,
    /// E.164: `+`, a country code and the number, 8 to 16 characters in all.
    #[schema(pattern = r"^\+[1-9][0-9]{6,14}$")]
    pub phone: Option<String>,
    #[schema(max_length = 100)]
    pub segment: Option<String>,
    /// At most 20 tags of 1 to 50 characters.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub tags: Vec<String>,
}

/// Fields to change; omitted fields keep their value, `null` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UpdateContactRequest {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = r"^\+[1-9][0-9]{6,14}$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub segment: Option<Option<String>>,
    #[schema(max_items = 20)]
    pub tags: Option<Vec<String>>,
}

/// Distinguishes a field sent as `null` (`Some(None)`) from one left out (`None`).
fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Filters of `GET /v1/contacts`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactFilter {
    pub segment: Option<String>,
    /// Contacts carrying this tag.
    pub tag: Option<String>,
    /// RFC 3339; inclusive.
    pub created_from: Option<DateTime<Utc>>,
    /// RFC 3339; exclusive.
    pub created_to: Option<DateTime<Utc>>,
}

/// `GET /v1/contacts/search?q=`
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactSearch {
    /// A name, email or phone, whole or in part; small typos are tolerated.
    pub q: String,
    /// Results, 1 to 100; 25 when omitted.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum TemplateStatus {
    Draft,
    /// Submitted; WhatsApp's review is in progress.
    Pending,
    Approved,
    Rejected,
}

impl TemplateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateStatus::Draft => "draft",
            TemplateStatus::Pending => "pending",
            TemplateStatus::Approved => "approved",
            TemplateStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<TemplateStatus> {
        [
            TemplateStatus::Draft,
            TemplateStatus::Pending,
            TemplateStatus::Approved,
            TemplateStatus::Rejected,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum TemplateCategory {
    Marketing,
    Utility,
    Authentication,
}

/// A WhatsApp message template. Only approved templates can be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Template {
    /// `tpl_…`
    pub id: String,
    pub name: String,
    pub language: String,
    pub category: TemplateCategory,
    /// The text, with variables `{{1}}`, `{{2}}`, …
    pub body: String,
    /// How many variables the body uses.
    pub variables: u32,
    pub status: TemplateStatus,
    pub rejection_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreateTemplateRequest {
    /// Lower case letters, digits and `_`, 1 to 100 characters; unique per language.
    #[schema(pattern = r"^[a-z0-9_]{1,100}$")]
    pub name: String,
    /// A language code such as `en` or `en_US`.
    #[schema(pattern = r"^[a-z]{2,3}(_[A-Z]{2})?$")]
    pub language: String,
    pub category: TemplateCategory,
    /// 1 to 1024 characters; variables `{{1}}`, `{{2}}`, … numbered from 1 without gaps.
    #[schema(min_length = 1, max_length = 1024)]
    pub body: String,
}

/// Fields to change. Editing an approved or rejected template returns it to draft.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct UpdateTemplateRequest {
    #[schema(pattern = r"^[a-z0-9_]{1,100}$")]
    pub name: Option<String>,
    #[schema(pattern = r"^[a-z]{2,3}(_[A-Z]{2})?$")]
    pub language: Option<String>,
    pub category: Option<TemplateCategory>,
    #[schema(min_length = 1, max_length = 1024)]
    pub body: Option<String>,
}

/// Filters of `GET /v1/templates`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateFilter {
    #[param(value_type = Option<TemplateStatus>)]
    pub status: Option<String>,
    pub language: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
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

/// `POST /v1/messages/send`: a template (WhatsApp, approved, with its variables) or a body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SendMessageRequest {
    /// `ct_…`; the contact must have a phone number.
    pub contact_id: String,
    pub channel: Channel,
    /// An approved template (WhatsApp only). Give this or `body`, not both.
    pub template_id: Option<String>,
    /// Values for the template's `{{1}}`, `{{2}}`, … in order.
    #[serde(default)]
    pub variables: Vec<String>,
    /// Free text, 1 to 4096 characters (1,600 for SMS). Give this or `template_id`.
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
