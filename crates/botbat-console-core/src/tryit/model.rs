//! What the Try It panel sends and receives. The TypeScript twins are generated; JSON
//! documents (schemas, parsed bodies) cross as `unknown` so the UI never assumes a shape
//! the platform did not promise.

use botbat_api::{FieldIssue, Scope, Wait};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::Environment;

/// The catalog of one environment, grouped by module in the order the platform's
/// document lists its tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryCatalog {
    /// For a saved connection's catalog, meaningless: `connection_id` says whose it is.
    pub environment: Environment,
    /// Set when this is a Botbiz or Botmaker connection's catalog.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub connection_id: Option<String>,
    /// Where the document came from, e.g. `http://127.0.0.1:8787/v1/openapi.json`.
    pub source_url: String,
    /// RFC 3339: when the document was downloaded.
    pub fetched_at: String,
    /// True when this is the cached copy because a refresh failed; `stale_reason` says why.
    pub stale: bool,
    pub stale_reason: Option<String>,
    pub title: String,
    pub version: String,
    pub modules: Vec<TryModule>,
    pub operation_count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryModule {
    pub name: String,
    pub description: String,
    pub operations: Vec<TryOperation>,
}

/// One endpoint as the builder needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryOperation {
    /// The document's `operationId`, e.g. `create_contact`.
    pub id: String,
    /// Upper case: `GET`, `POST`, …
    pub method: String,
    /// The path template as published, e.g. `/v1/contacts/{id}`.
    pub path: String,
    pub module: String,
    pub summary: String,
    pub description: String,
    /// False only for the few public endpoints (`/v1/openapi.json`).
    pub requires_key: bool,
    /// `contacts:write`; `null` when any valid key will do.
    pub scope: Option<String>,
    pub parameters: Vec<TryParameter>,
    pub body: Option<TryBodyDoc>,
    pub responses: Vec<TryResponseDoc>,
    /// A cursor-paginated list: `Next page` and `Fetch all` apply.
    pub paginated: bool,
    /// Answers with a WebSocket upgrade (the listen tunnel): a plain request gets 426.
    pub websocket: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryParameter {
    pub name: String,
    /// `path`, `query` or `header`.
    pub location: String,
    pub required: bool,
    pub description: String,
    /// `string`, `integer`, `number`, `boolean` or `array`.
    pub kind: String,
    pub format: Option<String>,
    pub enum_values: Vec<String>,
    pub default: Option<String>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    /// The parameter's schema with every `$ref` resolved.
    #[ts(type = "unknown")]
    pub schema: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryBodyDoc {
    /// `application/json` or `multipart/form-data`.
    pub content_type: String,
    pub required: bool,
    /// The body's schema with every `$ref` resolved.
    #[ts(type = "unknown")]
    pub schema: Value,
    /// Pretty JSON the editor starts from: the document's example, or one built from the
    /// schema when it has none. Empty for multipart bodies.
    pub example: String,
    /// The top-level fields, for the endpoint's description.
    pub fields: Vec<TryBodyField>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryBodyField {
    pub name: String,
    /// `string`, `integer`, `array`, `object`, `string | null`, … or `file` for a multipart
    /// file part.
    pub kind: String,
    pub required: bool,
    pub description: String,
    pub enum_values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryResponseDoc {
    /// As the document keys it: `201`, `4XX` or `default`.
    pub status: String,
    pub description: String,
    /// The documented body's media type; `null` when the response has no body.
    pub content_type: Option<String>,
    /// The body's schema with every `$ref` resolved; `null` when none is documented.
    #[ts(type = "unknown")]
    pub schema: Option<Value>,
    /// The document's example of the body, or one built from the schema with every field.
    #[ts(type = "unknown")]
    pub example: Option<Value>,
}

/// How a received response compares with what its operation documents for its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryConformance {
    /// The documented response it was checked against (`201`, `4XX`, `default`); `null`
    /// when the operation documents no response for this status.
    pub documented: Option<String>,
    /// False when there was nothing to check the body against (no schema documented).
    pub checked: bool,
    /// One entry per place the response differs from the documentation, named like a
    /// 422's details (`body`, `data[0].id`), each saying what was documented and what came.
    pub issues: Vec<FieldIssue>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TryPair {
    pub name: String,
    pub value: String,
}

impl TryPair {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// One part of a `multipart/form-data` body. The CSV import's file travels as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TryFormPart {
    pub name: String,
    /// Set for a file part (`contacts.csv`); `null` for a plain field.
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub content: String,
}

/// The credential a request is sent with: `management` (the environment's management
/// key) or the id of a key whose secret this machine keeps in the keychain.
pub const MANAGEMENT_CREDENTIAL: &str = "management";

/// A request as the builder holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TryRequest {
    /// The catalog operation it was built from; `null` for a path the catalog lacks.
    pub operation_id: Option<String>,
    pub method: String,
    /// The path template, e.g. `/v1/contacts/{id}`.
    pub path: String,
    pub path_params: Vec<TryPair>,
    /// Parameters with an empty value are not sent.
    pub query: Vec<TryPair>,
    /// Extra headers. `Authorization` comes from `credential` and cannot be set here.
    pub headers: Vec<TryPair>,
    /// JSON text, sent byte for byte; `null` for no body.
    pub body: Option<String>,
    /// Multipart parts; when not empty the request is `multipart/form-data`.
    pub form: Vec<TryFormPart>,
    /// `management` or a key id (`key_…`).
    pub credential: String,
}

/// How a credential is offered: never its secret, only its masked form and scopes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryCredential {
    /// `management` or the key id.
    pub id: String,
    pub label: String,
    pub masked: String,
    pub scopes: Vec<Scope>,
    /// `management` or `keychain`.
    pub source: String,
    /// `active`, `expiring`, … as the platform reports it.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryCredentials {
    pub environment: Environment,
    pub credentials: Vec<TryCredential>,
    /// Why some keys could not be listed (e.g. the management key lacks `keys:manage`).
    pub note: Option<String>,
}

/// What would be wrong with sending the request now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryCheck {
    /// One entry per invalid field, named as the platform names them (`name`,
    /// `tags[0]`, `query.limit`, `path.id`, `body`).
    pub issues: Vec<FieldIssue>,
    /// The scope the endpoint needs and the chosen credential lacks.
    pub missing_scope: Option<String>,
    /// The URL the request goes to (query included).
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryRateLimit {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds.
    #[ts(type = "number")]
    pub reset: i64,
    /// `key` or `org`: whichever window has fewer requests left.
    pub scope: Option<String>,
}

/// Everything about one response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryResponse {
    pub method: String,
    pub url: String,
    pub status: u16,
    /// `Created`, `Unprocessable Entity`, …
    pub status_text: String,
    /// What the status means for this endpoint, from its documented responses.
    pub meaning: String,
    pub headers: Vec<TryPair>,
    pub request_id: Option<String>,
    pub rate_limit: Option<TryRateLimit>,
    /// Whole seconds from a 429's `Retry-After` (its HTTP-date form counted from receipt).
    pub retry_after: Option<u32>,
    /// How the console honours that `Retry-After`: the countdown, and a note when the
    /// header asked for more than the console waits.
    #[serde(default)]
    pub retry_wait: Option<Wait>,
    pub content_type: Option<String>,
    /// The body as received (as stored, for a history entry: secrets masked).
    pub body: String,
    /// The body parsed, when it is JSON.
    #[ts(type = "unknown")]
    pub json: Option<Value>,
    pub size_bytes: u32,
    /// From the command to the parsed response, in milliseconds.
    pub elapsed_ms: f64,
    /// A list's `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    pub page_items: Option<u32>,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// The platform's `error.details`, for a 422.
    pub error_details: Vec<FieldIssue>,
    /// The history row this response was read from, when it was opened from history. A
    /// fresh answer has none: its row is written behind it (see `tryit::history`).
    #[ts(type = "number | null")]
    pub history_id: Option<i64>,
    /// The credential it was sent with, e.g. `CRM sync · bb_test_…a1b2`.
    pub credential_label: String,
    /// The response checked against the operation's documented responses; `null` for a
    /// request the catalog does not describe.
    #[serde(default)]
    pub conformance: Option<TryConformance>,
}

impl TryResponse {
    /// A copy without the parsed body, the costly part to copy; its text stays in `body`.
    /// What history keeps (it stores the text).
    pub fn without_json(&self) -> TryResponse {
        let Self {
            method,
            url,
            status,
            status_text,
            meaning,
            headers,
            request_id,
            rate_limit,
            retry_after,
            retry_wait,
            content_type,
            body,
            json: _,
            size_bytes,
            elapsed_ms,
            next_cursor,
            page_items,
            total,
            error_details,
            history_id,
            credential_label,
            conformance,
        } = self;
        TryResponse {
            method: method.clone(),
            url: url.clone(),
            status: *status,
            status_text: status_text.clone(),
            meaning: meaning.clone(),
            headers: headers.clone(),
            request_id: request_id.clone(),
            rate_limit: rate_limit.clone(),
            retry_after: *retry_after,
            retry_wait: retry_wait.clone(),
            content_type: content_type.clone(),
            body: body.clone(),
            json: None,
            size_bytes: *size_bytes,
            elapsed_ms: *elapsed_ms,
            next_cursor: next_cursor.clone(),
            page_items: *page_items,
            total: *total,
            error_details: error_details.clone(),
            history_id: *history_id,
            credential_label: credential_label.clone(),
            conformance: conformance.clone(),
        }
    }
}

/// How `tryit_send` proceeds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TrySendOptions {
    /// Send even though the request fails validation, to see the server's own answer.
    pub force: bool,
    /// The user confirmed a non-GET request in Production.
    pub confirmed: bool,
}

/// Progress of `Fetch all`, emitted after each page and while waiting out a limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryProgress {
    pub run_id: String,
    pub pages: u32,
    pub items: u32,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// Seconds the run waits before its next page (a 429 or an exhausted window).
    pub waiting_seconds: Option<u32>,
    /// Set when a header asked for a longer wait than the console takes.
    pub wait_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryFetchAll {
    pub run_id: String,
    pub pages: u32,
    pub items: u32,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    pub cancelled: bool,
    /// Stopped at the item cap before the last page.
    pub truncated: bool,
    /// Every item of every page fetched, in order.
    #[ts(type = "unknown[]")]
    pub data: Vec<Value>,
    pub elapsed_ms: f64,
    /// Time spent waiting for rate limits.
    pub waited_ms: f64,
    pub rate_limited: u32,
    /// The page that ended the run when it was not a success.
    pub failure: Option<TryResponse>,
    /// Why the run stopped or waited less than a header asked, when it did.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TrySnippet {
    /// `curl`, `javascript`, `python`, `php` or `java`.
    pub language: String,
    pub label: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryParsedCurl {
    pub request: TryRequest,
    /// The catalog operation the URL matched; `null` when it matched none.
    pub operation_id: Option<String>,
    /// Options that were ignored or replaced, one sentence each.
    pub warnings: Vec<String>,
    /// Multipart files referenced with `@path`: their contents must be chosen in the
    /// builder.
    pub files_to_choose: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryHistoryItem {
    #[ts(type = "number")]
    pub id: i64,
    /// RFC 3339.
    pub created_at: String,
    pub method: String,
    pub path: String,
    pub url: String,
    pub status: u16,
    pub elapsed_ms: f64,
    pub size_bytes: u32,
    pub credential_label: String,
    pub request_id: Option<String>,
    pub operation_id: Option<String>,
}

/// A stored request and its response; secrets masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryHistoryEntry {
    pub item: TryHistoryItem,
    pub request: TryRequest,
    pub response: TryResponse,
}

/// The latest rate-limit headers a connection answered with (Botbiz's `X-RateLimit-*`),
/// for the Rate Limits panel's gauge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TryConnectionLimits {
    pub connection_id: String,
    pub rate_limit: Option<TryRateLimit>,
    /// RFC 3339: when those headers arrived.
    pub observed_at: Option<String>,
    /// The status of the answer that carried them.
    pub status: Option<u16>,
}
