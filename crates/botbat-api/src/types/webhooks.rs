//! `/v1/webhooks`: endpoints and the bodies that create and change them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::openapi::Object;
use utoipa::ToSchema;

use crate::contract::{self, Text};

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
