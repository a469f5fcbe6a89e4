//! Resources and request bodies of the v1 API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{Object, Required, Schema};
use utoipa::{IntoParams, ToSchema};

use crate::contract::{self, Text};

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
    #[serde(rename = "sandbox:manage")]
    SandboxManage,
}

impl Scope {
    pub const ALL: [Scope; 15] = [
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
        Scope::SandboxManage,
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
            Scope::SandboxManage => "sandbox:manage",
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
            Scope::SandboxManage => {
                "Sandbox only: move the clock, inject faults, simulate events and inbound messages, generate usage history. These change the sandbox for every key."
            }
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

/// A key's name.
pub const KEY_NAME: Text = Text::name(100);

fn key_name_schema() -> Object {
    KEY_NAME
        .schema("What the key is for, e.g. \"CRM integration\". 1 to 100 characters, not blank.")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreateApiKeyRequest {
    #[schema(schema_with = key_name_schema)]
    pub name: String,
    /// At least one scope from `GET /v1/scopes`. A key can only grant scopes it holds itself.
    #[schema(value_type = Vec<Scope>, min_items = 1)]
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RotateApiKeyRequest {
    /// How long the old key keeps working: 0, 3600 (1 h), 86400 (24 h) or 604800 (7 d).
    #[ts(type = "number")]
    #[serde(with = "contract::whole::u64")]
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
    pub order: Option<UsageOrder>,
}

/// The order of `GET /v1/usage/requests`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UsageOrder {
    /// Oldest first.
    #[default]
    Asc,
    /// Newest first.
    Desc,
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

/// A webhook endpoint's description.
pub const WEBHOOK_DESCRIPTION: Text = Text::optional(500);

const WEBHOOK_URL_TEXT: &str = "Where deliveries go: https (plain http only to localhost, 127.0.0.1 or [::1], in the sandbox); at most 2048 characters.";

fn webhook_url_schema() -> Object {
    let mut schema = contract::WEBHOOK_URL.schema(WEBHOOK_URL_TEXT);
    schema.max_length = Some(contract::WEBHOOK_URL_MAX);
    schema.format = Some(utoipa::openapi::SchemaFormat::Custom("uri".into()));
    schema
}

fn webhook_url_update_schema() -> Object {
    let mut schema = webhook_url_schema();
    schema.schema_type = utoipa::openapi::schema::SchemaType::from_iter([
        utoipa::openapi::schema::Type::String,
        utoipa::openapi::schema::Type::Null,
    ]);
    schema.description = Some(format!("{WEBHOOK_URL_TEXT} `null` or omitted keeps it."));
    schema
}

fn webhook_description_schema() -> Object {
    WEBHOOK_DESCRIPTION.nullable_schema("What the endpoint is for; at most 500 characters.")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreateWebhookRequest {
    #[schema(schema_with = webhook_url_schema)]
    pub url: String,
    /// Event types to receive (`GET /v1/events/types`), or `"*"` for all.
    #[schema(value_type = Vec<crate::EventSubscription>, min_items = 1)]
    pub event_types: Vec<String>,
    #[schema(schema_with = webhook_description_schema)]
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct UpdateWebhookRequest {
    #[schema(schema_with = webhook_url_update_schema)]
    pub url: Option<String>,
    /// Event types to receive, replacing the current ones; `null` or omitted keeps them.
    #[schema(value_type = Option<Vec<crate::EventSubscription>>, min_items = 1)]
    pub event_types: Option<Vec<String>>,
    #[schema(schema_with = webhook_description_schema)]
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// `POST /v1/sandbox/faults`: make the next matching requests fail, to test retry logic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FaultRequest {
    /// HTTP method to match: GET, POST, PUT, PATCH or DELETE.
    #[schema(schema_with = fault_method_schema)]
    pub method: String,
    /// Route template to match, e.g. `/v1/me`.
    pub path: String,
    /// The status to answer with: 500, 502, 503 or 504.
    #[ts(type = "number")]
    #[serde(with = "contract::whole::u16")]
    #[schema(schema_with = fault_status_schema)]
    pub status: u16,
    /// How many matching requests fail, 1 to 100.
    #[ts(type = "number")]
    #[serde(with = "contract::whole::u32")]
    #[schema(minimum = 1, maximum = 100)]
    pub count: u32,
    /// When the request fails: `reject` (default) before it runs, `after_commit` after it
    /// ran and its changes were saved.
    #[serde(default)]
    pub mode: FaultMode,
}

/// How an injected fault fails a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum FaultMode {
    /// The request is answered with the fault's status and never runs: nothing changes.
    #[default]
    Reject,
    /// The request runs and its changes are saved, then the response is lost: the client
    /// gets the fault's status instead, as after a timeout or a proxy failure on the way
    /// back. A retry with the same `Idempotency-Key` gets the saved response.
    AfterCommit,
}

/// The methods a fault can match.
pub const FAULT_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn fault_method_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(FAULT_METHODS))
        .description(Some(
            "The HTTP method to match: GET, POST, PUT, PATCH or DELETE.",
        ))
        .build()
}

/// The statuses a fault can answer with, the only ones the sandbox accepts.
pub const FAULT_STATUSES: [u16; 4] = [500, 502, 503, 504];

fn fault_status_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some(FAULT_STATUSES))
        .description(Some("The status to answer with: 500, 502, 503 or 504."))
        .build()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Fault {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub remaining: u32,
    pub mode: FaultMode,
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
    #[serde(with = "contract::whole::i64")]
    #[schema(minimum = 1, maximum = 31_536_000)]
    pub seconds: i64,
}

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

/// A contact's name.
pub const CONTACT_NAME: Text = Text::name(200);
/// A contact's segment; blank means none.
pub const SEGMENT: Text = Text::optional(100);
/// One tag of a contact.
pub const TAG: Text = Text::name(50);
/// The most tags a contact carries.
pub const MAX_TAGS: usize = 20;

fn contact_name_schema() -> Object {
    CONTACT_NAME.schema("1 to 200 characters, not blank; stored trimmed.")
}

fn contact_name_update_schema() -> Object {
    CONTACT_NAME.nullable_schema("1 to 200 characters, not blank; `null` or omitted keeps it.")
}

fn contact_email_schema() -> Object {
    contract::email_schema(
        true,
        "An email address (stored lower case); `null` for none.",
    )
}

fn contact_phone_schema() -> Object {
    contract::PHONE.nullable_schema(
        "E.164: `+`, a country code and the number, 8 to 16 characters in all; `null` for none.",
    )
}

fn segment_schema() -> Object {
    SEGMENT.nullable_schema("At most 100 characters; blank or `null` for none.")
}

fn tags_schema() -> Schema {
    contract::array_schema(
        TAG.schema("1 to 50 characters, not blank."),
        None,
        Some(MAX_TAGS),
        false,
        "At most 20 tags; repeats are dropped.",
    )
}

fn tags_update_schema() -> Schema {
    contract::array_schema(
        TAG.schema("1 to 50 characters, not blank."),
        None,
        Some(MAX_TAGS),
        true,
        "At most 20 tags, replacing the current ones; `null` or omitted keeps them.",
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreateContactRequest {
    #[schema(schema_with = contact_name_schema)]
    pub name: String,
    #[schema(schema_with = contact_email_schema)]
    pub email: Option<String>,
    #[schema(schema_with = contact_phone_schema)]
    pub phone: Option<String>,
    #[schema(schema_with = segment_schema)]
    pub segment: Option<String>,
    #[serde(default)]
    #[schema(schema_with = tags_schema)]
    pub tags: Vec<String>,
}

/// Fields to change; omitted fields keep their value, `null` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UpdateContactRequest {
    #[schema(schema_with = contact_name_update_schema)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = contact_email_schema)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = contact_phone_schema)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = segment_schema)]
    pub segment: Option<Option<String>>,
    #[schema(schema_with = tags_update_schema)]
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

/// The text of a contact search.
pub const SEARCH_QUERY: Text = Text::name(200);

/// `GET /v1/contacts/search?q=`
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactSearch {
    pub q: String,
    pub limit: Option<String>,
}

impl IntoParams for ContactSearch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let q = ParameterBuilder::new()
            .name("q")
            .parameter_in(ParameterIn::Query)
            .required(Required::True)
            .description(Some(
                "A name, email or phone, whole or in part; small typos are tolerated. 1 to 200 characters, not blank.",
            ))
            .schema(Some(SEARCH_QUERY.schema("")))
            .build();
        let limit = PageParams::into_params(|| Some(ParameterIn::Query))
            .into_iter()
            .filter(|p| p.name == "limit");
        std::iter::once(q).chain(limit).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
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
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
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

/// A template's text.
pub const TEMPLATE_BODY: Text = Text::name(1024);

const TEMPLATE_NAME_TEXT: &str =
    "Lower case letters, digits and `_`, 1 to 100 characters; unique per language.";
const LANGUAGE_TEXT: &str = "A language code such as `en` or `en_US`.";
const TEMPLATE_BODY_TEXT: &str =
    "1 to 1024 characters, not blank; variables `{{1}}`, `{{2}}`, … numbered from 1 without gaps.";

fn template_name_schema() -> Object {
    contract::TEMPLATE_NAME.schema(TEMPLATE_NAME_TEXT)
}

fn template_name_update_schema() -> Object {
    contract::TEMPLATE_NAME.nullable_schema(TEMPLATE_NAME_TEXT)
}

fn language_schema() -> Object {
    contract::LANGUAGE.schema(LANGUAGE_TEXT)
}

fn language_update_schema() -> Object {
    contract::LANGUAGE.nullable_schema(LANGUAGE_TEXT)
}

fn template_body_schema() -> Object {
    TEMPLATE_BODY.schema(TEMPLATE_BODY_TEXT)
}

fn template_body_update_schema() -> Object {
    TEMPLATE_BODY.nullable_schema(TEMPLATE_BODY_TEXT)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreateTemplateRequest {
    #[schema(schema_with = template_name_schema)]
    pub name: String,
    #[schema(schema_with = language_schema)]
    pub language: String,
    pub category: TemplateCategory,
    #[schema(schema_with = template_body_schema)]
    pub body: String,
}

/// Fields to change. Editing an approved or rejected template returns it to draft.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct UpdateTemplateRequest {
    #[schema(schema_with = template_name_update_schema)]
    pub name: Option<String>,
    #[schema(schema_with = language_update_schema)]
    pub language: Option<String>,
    pub category: Option<TemplateCategory>,
    #[schema(schema_with = template_body_update_schema)]
    pub body: Option<String>,
}

/// Filters of `GET /v1/templates`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateFilter {
    pub status: Option<TemplateStatus>,
    pub language: Option<String>,
}

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
