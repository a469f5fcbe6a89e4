//! The platform's error body and the client's error type.
//!
//! Every failure carries the platform's `code`, not just a status, so callers (and the UI)
//! branch on `code` and never on message text; and it keeps the `request_id`, which is what
//! a support engineer asks for first.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// Machine-readable error codes, one per HTTP status the platform uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    ValidationError,
    RateLimited,
    /// A WebSocket endpoint was called without a WebSocket handshake.
    UpgradeRequired,
    InternalError,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::ValidationError => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::UpgradeRequired => 426,
            ErrorCode::InternalError => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::ValidationError => "validation_error",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::UpgradeRequired => "upgrade_required",
            ErrorCode::InternalError => "internal_error",
        }
    }
}

/// One problem with one field of a request (422 details).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
pub struct FieldIssue {
    pub field: String,
    pub issue: String,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, issue: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            issue: issue.into(),
        }
    }
}

/// The `error` object of every non-2xx response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub status: u16,
    pub request_id: String,
    #[serde(default)]
    pub details: Vec<FieldIssue>,
}

/// `{"error": {...}}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ErrorBody {
    pub error: ApiError,
}

/// What a call through [`crate::Client`] can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The platform answered with an error body (and, on a 429, how long to wait).
    #[error("{} ({}): {}", .error.code.as_str(), .error.status, .error.message)]
    Api {
        error: ApiError,
        retry_after: Option<u32>,
    },
    /// The platform could not be reached (refused, DNS, TLS, timeout).
    #[error("could not reach {url}: {message}")]
    Unreachable { url: String, message: String },
    /// The platform answered with something that is not the documented format.
    #[error("unexpected response from {url} (HTTP {status}): {message}")]
    Protocol {
        url: String,
        status: u16,
        message: String,
    },
    /// The request could not be built (bad base URL, bad path).
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl ClientError {
    /// The platform's error, when there is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The `Retry-After` seconds of a 429.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            ClientError::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { error, .. } => Some(error.status),
            ClientError::Protocol { status, .. } => Some(*status),
            _ => None,
        }
    }
}
