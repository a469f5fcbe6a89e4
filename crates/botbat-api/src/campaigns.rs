//! Campaigns (one message per contact of a segment), conversations (threads started by
//! inbound messages) and background jobs (contact imports).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::openapi::Object;
use utoipa::{IntoParams, ToSchema};

use crate::contract::{self, Text};
use crate::Channel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
pub enum CampaignStatus {
    Draft,
    Scheduled,
    Sending,
    Completed,
    Failed,
}

impl CampaignStatus {
    pub const ALL: [CampaignStatus; 5] = [
        CampaignStatus::Draft,
        CampaignStatus::Scheduled,
        CampaignStatus::Sending,
        CampaignStatus::Completed,
        CampaignStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Scheduled => "scheduled",
            CampaignStatus::Sending => "sending",
            CampaignStatus::Completed => "completed",
            CampaignStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<CampaignStatus> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// What a sent campaign did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CampaignCounts {
    /// Contacts in the segment when sending started.
    pub recipients: u32,
    /// Messages created.
    pub messages: u32,
    /// Messages whose recipient convention makes them fail.
    pub failed: u32,
    /// Contacts without a phone number.
    pub skipped: u32,
}

/// A message to every contact of a segment, now or at `send_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Campaign {
    /// `cmp_…`
    pub id: String,
    pub name: String,
    /// Contacts whose `segment` equals this receive it.
    pub segment: String,
    pub channel: Channel,
    pub template_id: Option<String>,
    #[serde(default)]
    pub variables: Vec<String>,
    pub body: Option<String>,
    pub status: CampaignStatus,
    pub send_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub failure_reason: Option<String>,
    pub counts: CampaignCounts,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A campaign's name.
pub const CAMPAIGN_NAME: Text = Text::name(200);
/// The segment a campaign sends to.
pub const CAMPAIGN_SEGMENT: Text = Text::name(100);

fn campaign_name_schema() -> Object {
    CAMPAIGN_NAME.schema("1 to 200 characters, not blank.")
}

fn campaign_name_update_schema() -> Object {
    CAMPAIGN_NAME.nullable_schema("1 to 200 characters, not blank.")
}

fn campaign_segment_schema() -> Object {
    CAMPAIGN_SEGMENT
        .schema("Contacts whose `segment` equals this receive it: 1 to 100 characters, not blank.")
}

fn campaign_segment_update_schema() -> Object {
    CAMPAIGN_SEGMENT.nullable_schema("1 to 100 characters, not blank.")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreateCampaignRequest {
    #[schema(schema_with = campaign_name_schema)]
    pub name: String,
    #[schema(schema_with = campaign_segment_schema)]
    pub segment: String,
    pub channel: Channel,
    /// An approved template (WhatsApp only). Give this or `body`.
    pub template_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub variables: Option<Vec<String>>,
    #[schema(schema_with = crate::types::message_body_schema)]
    pub body: Option<String>,
}

/// Fields to change; only a draft or scheduled campaign can be edited.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct UpdateCampaignRequest {
    #[schema(schema_with = campaign_name_update_schema)]
    pub name: Option<String>,
    #[schema(schema_with = campaign_segment_update_schema)]
    pub segment: Option<String>,
    pub channel: Option<Channel>,
    /// Switches the campaign to this template (WhatsApp only); not together with `body`.
    pub template_id: Option<String>,
    pub variables: Option<Vec<String>>,
    #[schema(schema_with = crate::types::message_body_schema)]
    pub body: Option<String>,
}

/// An update switches to a template or to text, not to both at once. Added as `anyOf` to
/// the schema of `UpdateCampaignRequest`.
pub fn campaign_update_forms() -> serde_json::Value {
    serde_json::json!([
        {"title": "Keeps or sets text", "properties": {"template_id": {"type": "null"}}},
        {"title": "Keeps or sets a template", "properties": {"body": {"type": "null"}}}
    ])
}

/// `POST /v1/campaigns/{id}/send`: omit `send_at` (or send an empty body) to send now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SendCampaignRequest {
    /// RFC 3339, in the future: schedule instead of sending now.
    pub send_at: Option<DateTime<Utc>>,
}

/// Filters of `GET /v1/campaigns`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignFilter {
    pub status: Option<CampaignStatus>,
    /// RFC 3339; campaigns created at or after this time.
    pub created_from: Option<DateTime<Utc>>,
    /// RFC 3339; campaigns created before this time.
    pub created_to: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
pub enum ConversationStatus {
    Open,
    Assigned,
    Resolved,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Open => "open",
            ConversationStatus::Assigned => "assigned",
            ConversationStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<ConversationStatus> {
        [
            ConversationStatus::Open,
            ConversationStatus::Assigned,
            ConversationStatus::Resolved,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
pub enum Direction {
    Inbound,
    Outbound,
}

/// One message in a conversation's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ConversationMessage {
    pub message_id: String,
    pub direction: Direction,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// A thread with one contact, opened by a message from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Conversation {
    /// `conv_…`
    pub id: String,
    pub contact_id: String,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub assignee: Option<String>,
    pub last_message_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Oldest first. Present on `GET /v1/conversations/{id}`, empty in lists.
    pub messages: Vec<ConversationMessage>,
}

/// Filters of `GET /v1/conversations`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationFilter {
    pub status: Option<ConversationStatus>,
    /// An agent name or email, exactly as assigned.
    pub assignee: Option<String>,
}

/// `POST /v1/conversations/{id}/assign`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct AssignConversationRequest {
    #[schema(schema_with = assignee_schema)]
    pub assignee: String,
}

/// The agent a conversation is assigned to.
pub const ASSIGNEE: Text = Text::name(200);

fn assignee_schema() -> Object {
    ASSIGNEE.schema("The agent, a name or an email: 1 to 200 characters, not blank.")
}

/// The text of an inbound message.
pub const INBOUND_BODY: Text = Text::name(4096);

fn inbound_from_schema() -> Object {
    contract::PHONE.schema("E.164. An unknown number becomes a new contact.")
}

fn inbound_body_schema() -> Object {
    INBOUND_BODY.schema("1 to 4096 characters, not blank.")
}

/// `POST /v1/sandbox/inbound`: a contact writes in, as if from their phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct InboundMessageRequest {
    #[schema(schema_with = inbound_from_schema)]
    pub from: String,
    pub channel: Channel,
    #[schema(schema_with = inbound_body_schema)]
    pub body: String,
}

/// What `POST /v1/sandbox/inbound` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct InboundResult {
    pub message_id: String,
    pub contact_id: String,
    pub conversation_id: String,
    /// Whether this message opened a new conversation.
    pub created_conversation: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
pub enum JobStatus {
    Running,
    Completed,
    Failed,
}

/// Why one CSV row was not imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RowIssue {
    /// 1-based line number in the file, the header being line 1.
    pub line: u32,
    pub reason: String,
}

/// A background job: `POST /v1/contacts/import` starts one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Job {
    /// `job_…`
    pub id: String,
    /// `contact_import`
    pub kind: String,
    pub status: JobStatus,
    /// Data rows in the file.
    pub total_rows: u32,
    pub processed_rows: u32,
    pub imported: u32,
    pub skipped: u32,
    /// One entry per skipped row (the first 1,000).
    pub errors: Vec<RowIssue>,
    pub failure_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// The multipart form of `POST /v1/contacts/import`: the one part `file`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ContactImportForm {
    /// A CSV file with a header row naming `name` and `phone` and/or `email`, optionally
    /// `segment` and `tags` (separated by `;`). At most 10 MiB and 50,000 rows.
    #[schema(value_type = String, format = Binary, content_media_type = "text/csv")]
    pub file: Vec<u8>,
}
