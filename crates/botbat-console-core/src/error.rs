//! The one error shape every command rejects with: `{code, message, status, request_id,
//! details}`. The UI branches on `code`; the platform's own codes pass through unchanged
//! and the console adds its own (`unreachable`, `no_management_key`, …).

use botbat_api::{ClientError, FieldIssue, Wait};
use botbat_secrets::SecretsError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CommandError {
    pub code: String,
    pub message: String,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    pub details: Vec<FieldIssue>,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_string(),
            message: message.into(),
            status: None,
            request_id: None,
            details: Vec::new(),
        }
    }

    pub fn invalid_input(field: &str, issue: impl Into<String>) -> Self {
        let issue = issue.into();
        Self {
            details: vec![FieldIssue::new(field, issue.clone())],
            ..Self::new("invalid_input", issue)
        }
    }
}

impl From<ClientError> for CommandError {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::Api {
                error: api,
                retry_after,
            } => Self {
                code: api.code.as_str().to_string(),
                // A 429 that reaches the user asked for a wait the client would not take:
                // say how long, and when that is beyond the console's cap, that it is.
                message: match retry_after.map(Wait::retry_after) {
                    Some(Wait {
                        note: Some(note), ..
                    }) => format!("{} {note}", api.message),
                    _ => api.message,
                },
                status: Some(api.status),
                request_id: Some(api.request_id),
                details: api.details,
            },
            ClientError::Unreachable { url, message } => Self::new(
                "unreachable",
                format!("Could not reach {url}: {message}. Check the base URL in Settings."),
            ),
            ClientError::Protocol {
                url,
                status,
                message,
            } => Self {
                status: Some(status),
                ..Self::new(
                    "unexpected_response",
                    format!("{url} answered HTTP {status} in a format that is not the BotBat API: {message}"),
                )
            },
            ClientError::Invalid(message) => Self::new("invalid_input", message),
        }
    }
}

impl From<SecretsError> for CommandError {
    fn from(error: SecretsError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}
