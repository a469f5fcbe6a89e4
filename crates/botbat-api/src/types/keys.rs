//! `/v1/api_keys`: keys as listed (never their secret), and the create and rotate bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::openapi::Object;
use utoipa::ToSchema;

use super::*;
use crate::contract::{self, Text};

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
    /// The replacement's name; omitted or `null`, it keeps the old key's name.
    #[serde(default)]
    #[ts(optional)]
    #[schema(schema_with = rotated_key_name_schema)]
    pub name: Option<String>,
}

fn rotated_key_name_schema() -> Object {
    KEY_NAME.nullable_schema(
        "The replacement's name, e.g. \"CRM sync (rotated 29 Nov)\"; 1 to 100 characters, not blank. Omitted or null keeps the old key's name.",
    )
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
