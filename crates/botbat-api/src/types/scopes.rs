//! Scopes: what an API key may do, and how `GET /v1/scopes` describes them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

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
