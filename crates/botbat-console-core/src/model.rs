//! The types the UI receives. Their TypeScript twins in `ui/src/lib/bindings` are generated
//! from these definitions and checked for drift by a test.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Sandbox,
    Production,
}

impl Environment {
    pub const ALL: [Environment; 2] = [Environment::Sandbox, Environment::Production];

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Environment::Sandbox => "Sandbox",
            Environment::Production => "Production",
        }
    }

    /// The prefix every key of this environment starts with.
    pub fn key_prefix(self) -> &'static str {
        match self {
            Environment::Sandbox => "bb_test_",
            Environment::Production => "bb_live_",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    System,
    Light,
    Dark,
}

pub const DEFAULT_PRODUCTION_BASE_URL: &str = "https://api.botbat.com/v1";

/// Everything the console remembers between runs that is not a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Preferences {
    pub active_environment: Environment,
    /// `null`: the embedded sandbox.
    pub sandbox_base_url_override: Option<String>,
    pub production_base_url: String,
    pub theme: Theme,
    /// Every displayed time in UTC instead of the user's local time. Absent in files
    /// written before the setting existed: local time.
    #[serde(default)]
    pub utc_times: bool,
    /// The id of the Botbiz or Botmaker connection the window works against, or `None` for
    /// BotBat (where `active_environment` decides). Absent in files written before
    /// connections existed: BotBat.
    #[serde(default)]
    pub active_connection: Option<String>,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            active_environment: Environment::Sandbox,
            sandbox_base_url_override: None,
            production_base_url: DEFAULT_PRODUCTION_BASE_URL.to_string(),
            theme: Theme::System,
            utc_times: false,
            active_connection: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SettingsInput {
    pub sandbox_base_url_override: Option<String>,
    pub production_base_url: String,
    pub theme: Theme,
    pub utc_times: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SandboxState {
    pub running: bool,
    pub base_url: Option<String>,
    pub data_dir: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KeychainState {
    pub available: bool,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AppStatus {
    pub environment: Environment,
    pub base_url: String,
    pub sandbox: SandboxState,
    pub keychain: KeychainState,
    pub version: String,
    /// Whether the active environment has a management key (its presence only, never the
    /// key): without one the console cannot create keys or endpoints, and says so first.
    pub has_management_key: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyLocation {
    Keychain,
    Memory,
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KeyPresence {
    pub stored: bool,
    /// `bb_live_…a1b2`; the key itself never leaves the backend.
    pub masked: Option<String>,
    pub location: KeyLocation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EnvironmentInfo {
    pub environment: Environment,
    pub base_url: String,
    pub base_url_is_default: bool,
    pub management_key: KeyPresence,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConnectionReport {
    pub environment: Environment,
    pub base_url: String,
    pub latency_ms: f64,
    pub key_id: String,
    pub key_name: String,
    pub masked_key: String,
    pub scopes: Vec<String>,
    pub plan: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DashboardSummary {
    pub environment: Environment,
    pub base_url: String,
    pub plan: String,
    pub api_keys_total: u32,
    pub api_keys_active: u32,
    pub webhooks_total: u32,
    pub webhooks_enabled: u32,
    pub requests_24h: u32,
    pub errors_24h: u32,
    /// 0 to 1.
    pub error_rate_24h: f64,
    pub rate_limited_24h: u32,
    /// Whether the counts include the console's own requests (left out by default).
    pub includes_console: bool,
    /// RFC 3339.
    pub as_of: String,
}

/// A key as the API Keys panel lists it: the platform's view plus whether this machine
/// keeps its secret in the keychain (for Try It).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KeyRow {
    pub key: botbat_api::ApiKey,
    pub secret_stored: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CreateKeyInput {
    pub name: String,
    pub scopes: Vec<botbat_api::Scope>,
}

/// A key just created or rotated in, with its secret: shown once, then only masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IssuedKey {
    pub key: botbat_api::ApiKey,
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RotationResult {
    pub new_key: IssuedKey,
    pub old_key: botbat_api::ApiKey,
}

/// How much a key is still used since a moment (a rotation), to know when it has gone
/// quiet and can be revoked early.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KeyActivity {
    pub key_id: String,
    pub last_used_at: Option<String>,
    pub requests_since: u32,
    pub last_request_at: Option<String>,
    /// Seconds since its last request (or since `since` if none), `null` if in the future.
    pub quiet_seconds: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RouteUse {
    pub method: String,
    pub route: String,
    pub scope: Option<botbat_api::Scope>,
    pub count: u32,
}

/// A key's granted scopes against the ones its recent calls needed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ScopeAdvice {
    pub key_id: String,
    pub granted: Vec<botbat_api::Scope>,
    pub used: Vec<botbat_api::Scope>,
    pub unused: Vec<botbat_api::Scope>,
    pub routes: Vec<RouteUse>,
    pub calls_examined: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanLimits {
    pub plan: botbat_api::Plan,
    pub per_key_per_second: u32,
    pub per_org_per_minute: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Recent429 {
    pub time: String,
    pub key_id: String,
    pub method: String,
    pub route: String,
    pub retry_after: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RateLimitView {
    pub limits: botbat_api::RateLimits,
    pub plans: Vec<PlanLimits>,
    pub recent_429s: Vec<Recent429>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BurstResult {
    pub index: u32,
    pub status: u16,
    pub retry_after: Option<u32>,
    /// How the countdown honours `retry_after`: capped, with a note, when it is absurd.
    pub retry_wait: Option<botbat_api::Wait>,
    pub elapsed_ms: f64,
    /// The `X-Request-Id` it was answered with, to find it later (the command palette).
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BurstReport {
    pub sent: u32,
    pub ok: u32,
    pub limited: u32,
    pub other: u32,
    pub max_retry_after: Option<u32>,
    /// The countdown for `max_retry_after`.
    pub retry_wait: Option<botbat_api::Wait>,
    pub results: Vec<BurstResult>,
}
