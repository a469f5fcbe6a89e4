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
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            active_environment: Environment::Sandbox,
            sandbox_base_url_override: None,
            production_base_url: DEFAULT_PRODUCTION_BASE_URL.to_string(),
            theme: Theme::System,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SettingsInput {
    pub sandbox_base_url_override: Option<String>,
    pub production_base_url: String,
    pub theme: Theme,
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
    /// RFC 3339.
    pub as_of: String,
}
