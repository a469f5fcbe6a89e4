//! Errors as the platform reports them, and extractors that turn bad input into them.
//!
//! Every failure leaves the server as `{"error":{code,message,status,request_id,details}}`,
//! including the ones axum would otherwise answer in plain text (malformed JSON, a wrong
//! content type, an oversized body, a bad query string), because an integration developer
//! reading a response should never have to guess what went wrong.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use botbat_api::{ApiError, ErrorBody, ErrorCode, FieldIssue};
use bytes::Bytes;
use serde::de::DeserializeOwned;

tokio::task_local! {
    /// The id of the request being handled; set by the outermost middleware.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "req_unknown".to_string())
}

#[derive(Debug, Clone)]
pub struct SandboxError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Vec<FieldIssue>,
    /// Seconds for `Retry-After` (429 only).
    pub retry_after: Option<u64>,
    /// A 5xx other than 500 (injected faults); the code's own status otherwise.
    pub status: Option<u16>,
}

pub type Result<T, E = SandboxError> = std::result::Result<T, E>;

impl SandboxError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
            status: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("No {what} with id {id:?}."))
    }

    pub fn upgrade_required() -> Self {
        Self::new(
            ErrorCode::UpgradeRequired,
            "This endpoint is a WebSocket: connect with a WebSocket client (Connection: Upgrade, Upgrade: websocket).",
        )
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// 422 with one entry per offending field.
    pub fn validation(details: Vec<FieldIssue>) -> Self {
        let fields: Vec<&str> = details.iter().map(|d| d.field.as_str()).collect();
        Self {
            code: ErrorCode::ValidationError,
            message: format!(
                "The request has invalid fields: {}. See details.",
                fields.join(", ")
            ),
            details,
            retry_after: None,
            status: None,
        }
    }

    pub fn field(field: &str, issue: impl Into<String>) -> Self {
        Self::validation(vec![FieldIssue::new(field, issue)])
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        Self::new(
            ErrorCode::InternalError,
            "The sandbox hit an internal error. Retry with backoff; if it persists, report the request id.",
        )
    }

    pub fn status(&self) -> u16 {
        self.status.unwrap_or(self.code.status())
    }

    pub fn body(&self, request_id: String) -> ErrorBody {
        ErrorBody {
            error: ApiError {
                code: self.code,
                message: self.message.clone(),
                status: self.status(),
                request_id,
                details: self.details.clone(),
            },
        }
    }
}

/// The row a write returned, or `None` when a unique index refused it. Uniqueness is the
/// database's: a check before the write would race a concurrent write of the same value,
/// and the loser would get a 500 instead of the 409 naming the row it collided with.
pub fn unless_duplicate<T>(written: sqlx::Result<T>) -> Result<Option<T>> {
    match written {
        Ok(row) => Ok(Some(row)),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Ok(None),
        Err(error) => Err(error.into()),
    }
}

impl From<sqlx::Error> for SandboxError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                Self::unreadable_data(error)
            }
            error => SandboxError::internal(error),
        }
    }
}

impl SandboxError {
    /// A stored value the sandbox never writes (an unknown status, malformed JSON): a 500
    /// that names the column and the value, never a default standing in for it, so the
    /// data dir's damage is seen where it is.
    pub fn unreadable_data(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "stored data could not be read");
        Self::new(
            ErrorCode::InternalError,
            format!(
                "The sandbox cannot read its stored data: {error}. The data dir was changed outside the sandbox; restore it or start with a new one."
            ),
        )
    }
}

impl IntoResponse for SandboxError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.body(current_request_id()))).into_response();
        if let Some(seconds) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// The body limit of JSON requests; larger bodies get 413 `payload_too_large`.
pub const MAX_JSON_BODY: usize = 1024 * 1024;

/// A JSON body whose every failure is a platform error: 400 for a wrong content type or
/// malformed JSON (with line and column), 413 for an oversized body, 422 naming the field
/// for a well-formed body of the wrong shape.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = SandboxError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if !content_type.starts_with("application/json") {
            return Err(SandboxError::invalid(format!(
                "Send the body as JSON with `Content-Type: application/json` (got {}).",
                if content_type.is_empty() {
                    "no Content-Type".to_string()
                } else {
                    format!("`{content_type}`")
                }
            )));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                SandboxError::new(
                    ErrorCode::PayloadTooLarge,
                    format!(
                        "The body is larger than the {} KiB limit.",
                        MAX_JSON_BODY / 1024
                    ),
                )
            } else {
                SandboxError::invalid(format!("Could not read the body: {rejection}"))
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(SandboxError::invalid(
            "The body is empty; send a JSON object.",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => Ok(value),
        Err(error) => {
            let path = error.path().to_string();
            let inner = error.into_inner();
            match inner.classify() {
                serde_json::error::Category::Data => {
                    let message = strip_position(&inner.to_string());
                    // A missing field reads "name is required", not serde's
                    // "name: missing field `name`", which names it twice.
                    Err(match (missing_field(&message), path == ".") {
                        (Some(name), true) => SandboxError::field(&name, "is required"),
                        (Some(name), false) => {
                            SandboxError::field(&format!("{path}.{name}"), "is required")
                        }
                        (None, true) => SandboxError::field("body", message),
                        (None, false) => SandboxError::field(&path, message),
                    })
                }
                _ => Err(SandboxError::invalid(format!(
                    "Malformed JSON at line {}, column {}: {}.",
                    inner.line(),
                    inner.column(),
                    strip_position(&inner.to_string())
                ))),
            }
        }
    }
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// A query string whose values are checked like a body's fields: a value of the wrong
/// type or outside its enum, or a missing required parameter, is a 422 naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = SandboxError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                match missing_field(&message) {
                    Some(name) => SandboxError::field(&name, "is required"),
                    None => SandboxError::field(&path, message),
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        scopes: Vec<String>,
    }

    #[test]
    fn malformed_json_is_400_with_position() {
        let err = parse_json::<Body>(b"{\"name\": ").expect_err("malformed");
        assert_eq!(err.code, ErrorCode::InvalidRequest);
        assert!(err.message.contains("line 1"), "{}", err.message);
    }

    #[test]
    fn wrong_shape_is_422_naming_the_field() {
        let err = parse_json::<Body>(b"{\"scopes\": []}").expect_err("missing");
        assert_eq!(err.code, ErrorCode::ValidationError);
        assert_eq!(err.details[0].field, "name");
        assert_eq!(err.details[0].issue, "is required");
        let err = parse_json::<Body>(b"{\"name\": \"x\", \"scopes\": [1]}").expect_err("type");
        assert_eq!(err.details[0].field, "scopes[0]");
    }
}
