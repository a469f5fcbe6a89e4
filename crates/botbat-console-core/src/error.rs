//! The one error shape every command rejects with: `{code, message, status, request_id,
//! details, retry_after}`.
//!
//! The UI branches on `code`, so `code` is a closed set, [`Code`]: the platform's own
//! [`ErrorCode`]s pass through unchanged and the console adds its own ([`ConsoleCode`]).
//! Both serialize as the same snake_case strings, one flat union in TypeScript, so the UI
//! can be exhaustive over it and a misspelt code fails to compile on either side. Every
//! other error type reaches this one through a `From` impl, so each is mapped in one place.

use std::fmt;

use botbat_api::{ClientError, ErrorCode, FieldIssue, Wait};
use botbat_secrets::SecretsError;
use botbat_usage::UsageError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Declares [`ConsoleCode`] with each wire name written once, for serde, ts-rs and
/// [`ConsoleCode::as_str`] alike.
macro_rules! console_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $name:literal,)+) => {
        /// The console's own codes: failures that happen on this machine, before or
        /// instead of a platform answer.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        pub enum ConsoleCode {
            $($(#[doc = $doc])+ #[serde(rename = $name)] $variant,)+
        }

        impl ConsoleCode {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ConsoleCode::$variant => $name,)+
                }
            }
        }
    };
}

console_codes! {
    /// The platform could not be reached (refused, DNS, TLS, timeout).
    Unreachable = "unreachable",
    /// Something answered, but not in the BotBat API's format.
    UnexpectedResponse = "unexpected_response",
    /// The console refused a value before sending anything; `details` names the field.
    InvalidInput = "invalid_input",
    /// The command line could not be parsed.
    Usage = "usage",
    /// The active environment has no management key to call the platform with.
    NoManagementKey = "no_management_key",
    /// The OS keychain cannot be reached.
    KeychainUnavailable = "keychain_unavailable",
    /// The OS keychain refused to store or read a secret.
    KeychainRejected = "keychain_rejected",
    /// The form was opened for an environment that is no longer active; nothing was sent.
    EnvironmentChanged = "environment_changed",
    /// A write to Production without the confirmation it needs.
    ConfirmationRequired = "confirmation_required",
    /// The typed confirmation does not match what it confirms.
    ConfirmationMismatch = "confirmation_mismatch",
    /// The command exists only for the sandbox.
    SandboxOnly = "sandbox_only",
    /// A Production base URL that is not https:// (plain http:// only to this machine).
    InsecureBaseUrl = "insecure_base_url",
    /// A file the console keeps on this machine could not be read or written.
    LocalStorage = "local_storage",
    /// The preferences file could not be written; the change is not kept.
    PreferencesNotSaved = "preferences_not_saved",
    /// The usage cache (SQLite) failed.
    UsageCache = "usage_cache",
    /// A chart could not be drawn.
    Chart = "chart",
    /// An export could not be written.
    ExportFailed = "export_failed",
    /// A usage sync is already running for this environment.
    SyncRunning = "sync_running",
    /// The usage sync was stopped before it finished.
    SyncCancelled = "sync_cancelled",
    /// A webhook listener stopped hearing from the platform.
    ListenerStale = "listener_stale",
    /// No signing secret is known for the endpoint.
    NoSecret = "no_secret",
    /// The keychain holds no credential for a connection to another platform.
    NoCredential = "no_credential",
    /// An HTTP error whose body names no code.
    HttpError = "http_error",
    /// A failure with no better name (a panic, a bare message from the window layer).
    Internal = "internal",
}

/// What a command failed with: a platform code or one of the console's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum Code {
    Platform(ErrorCode),
    Console(ConsoleCode),
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Platform(code) => code.as_str(),
            Code::Console(code) => code.as_str(),
        }
    }

    /// The code a wire string names, if it names one.
    pub fn parse(text: &str) -> Option<Code> {
        serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<ErrorCode> for Code {
    fn from(code: ErrorCode) -> Self {
        Code::Platform(code)
    }
}

impl From<ConsoleCode> for Code {
    fn from(code: ConsoleCode) -> Self {
        Code::Console(code)
    }
}

impl PartialEq<ErrorCode> for Code {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == Code::Platform(*other)
    }
}

impl PartialEq<ConsoleCode> for Code {
    fn eq(&self, other: &ConsoleCode) -> bool {
        *self == Code::Console(*other)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CommandError {
    pub code: Code,
    pub message: String,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    pub details: Vec<FieldIssue>,
    /// A 429's `Retry-After`, in whole seconds, as the platform asked it.
    #[serde(default)]
    pub retry_after: Option<u32>,
}

impl CommandError {
    pub fn new(code: impl Into<Code>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            status: None,
            request_id: None,
            details: Vec::new(),
            retry_after: None,
        }
    }

    pub fn invalid_input(field: &str, issue: impl Into<String>) -> Self {
        let issue = issue.into();
        Self {
            details: vec![FieldIssue::new(field, issue.clone())],
            ..Self::new(ConsoleCode::InvalidInput, issue)
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
                code: api.code.into(),
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
                retry_after,
            },
            ClientError::Unreachable { url, message } => Self::new(
                ConsoleCode::Unreachable,
                format!("Could not reach {url}: {message}. Check the base URL in Settings."),
            ),
            ClientError::Protocol {
                url,
                status,
                message,
            } => Self {
                status: Some(status),
                ..Self::new(
                    ConsoleCode::UnexpectedResponse,
                    format!("{url} answered HTTP {status} in a format that is not the BotBat API: {message}"),
                )
            },
            ClientError::Invalid(message) => Self::new(ConsoleCode::InvalidInput, message),
        }
    }
}

impl From<SecretsError> for CommandError {
    fn from(error: SecretsError) -> Self {
        let code = match error {
            SecretsError::Unavailable(_) => ConsoleCode::KeychainUnavailable,
            SecretsError::Rejected(_) => ConsoleCode::KeychainRejected,
        };
        Self::new(code, error.to_string())
    }
}

impl From<UsageError> for CommandError {
    fn from(error: UsageError) -> Self {
        match error {
            UsageError::Platform(client) => client.into(),
            UsageError::Invalid(message) => Self::new(ConsoleCode::InvalidInput, message),
            other => Self::new(ConsoleCode::UsageCache, other.to_string()),
        }
    }
}

impl From<botbat_charts::ChartError> for CommandError {
    fn from(error: botbat_charts::ChartError) -> Self {
        Self::new(ConsoleCode::Chart, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_their_wire_names() {
        for (code, wire) in [
            (Code::from(ErrorCode::Unauthorized), "unauthorized"),
            (Code::from(ErrorCode::RateLimited), "rate_limited"),
            (
                Code::from(ConsoleCode::EnvironmentChanged),
                "environment_changed",
            ),
            (
                Code::from(ConsoleCode::NoManagementKey),
                "no_management_key",
            ),
        ] {
            assert_eq!(
                serde_json::to_value(code).expect("serialize"),
                serde_json::json!(wire)
            );
            assert_eq!(code.as_str(), wire);
            assert_eq!(Code::parse(wire), Some(code));
        }
        assert_eq!(Code::parse("no_such_code"), None);
    }

    #[test]
    fn every_usage_error_maps_one_way() {
        let invalid: CommandError = UsageError::invalid("from must precede to").into();
        assert_eq!(invalid.code, ConsoleCode::InvalidInput);
        let wrong: CommandError = UsageError::WrongEnvironment("production".into()).into();
        assert_eq!(wrong.code, ConsoleCode::UsageCache);
    }
}
