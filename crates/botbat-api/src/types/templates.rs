//! `/v1/templates`: WhatsApp templates and their review.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::openapi::Object;
use utoipa::{IntoParams, ToSchema};

use crate::contract::{self, Text};

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
