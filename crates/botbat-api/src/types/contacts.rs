//! `/v1/contacts`: contacts, their rules, filters and search.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{Object, Required, Schema};
use utoipa::{IntoParams, ToSchema};

use super::*;
use crate::contract::{self, Text};

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
