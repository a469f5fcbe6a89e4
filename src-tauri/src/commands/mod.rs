//! One adapter per command: take the state, call one `Console` method, return its result.
//! Errors reach the UI as `CommandError` (`{code, message, status, request_id, details}`).

pub mod tryit;
pub mod usage;
pub mod webhooks;

use std::sync::Arc;

use botbat_api::{ApiKey, ScopeInfo};
use botbat_console_core::{
    AppStatus, BurstReport, CommandError, ConnectionReport, Console, CreateKeyInput,
    DashboardSummary, Environment, EnvironmentInfo, IssuedKey, KeyActivity, KeyRow, Preferences,
    RateLimitView, RotationResult, ScopeAdvice, SettingsInput,
};
use chrono::{DateTime, Utc};
use tauri::{AppHandle, Emitter, State};

type Shared<'a> = State<'a, Arc<Console>>;

#[tauri::command]
pub fn app_status(console: Shared<'_>) -> AppStatus {
    console.app_status()
}

#[tauri::command]
pub fn get_preferences(console: Shared<'_>) -> Preferences {
    console.preferences()
}

#[tauri::command]
pub fn set_environment(
    console: Shared<'_>,
    environment: Environment,
) -> Result<AppStatus, CommandError> {
    console.set_environment(environment)
}

#[tauri::command]
pub async fn list_environments(console: Shared<'_>) -> Result<Vec<EnvironmentInfo>, CommandError> {
    Ok(console.list_environments().await)
}

#[tauri::command]
pub fn save_settings(
    console: Shared<'_>,
    input: SettingsInput,
) -> Result<Preferences, CommandError> {
    console.save_settings(input)
}

#[tauri::command]
pub async fn set_management_key(
    console: Shared<'_>,
    tryit: State<'_, Arc<botbat_console_core::tryit::TryIt>>,
    environment: Environment,
    key: String,
) -> Result<EnvironmentInfo, CommandError> {
    tryit.forget_secrets();
    console.set_management_key(environment, key).await
}

#[tauri::command]
pub async fn clear_management_key(
    console: Shared<'_>,
    tryit: State<'_, Arc<botbat_console_core::tryit::TryIt>>,
    environment: Environment,
) -> Result<EnvironmentInfo, CommandError> {
    tryit.forget_secrets();
    console.clear_management_key(environment).await
}

#[tauri::command]
pub async fn test_connection(
    console: Shared<'_>,
    environment: Environment,
) -> Result<ConnectionReport, CommandError> {
    console.test_connection(environment).await
}

#[tauri::command]
pub async fn dashboard_summary(console: Shared<'_>) -> Result<DashboardSummary, CommandError> {
    console.dashboard_summary().await
}

#[tauri::command]
pub async fn list_api_keys(console: Shared<'_>) -> Result<Vec<KeyRow>, CommandError> {
    console.list_api_keys().await
}

#[tauri::command]
pub async fn list_scopes(console: Shared<'_>) -> Result<Vec<ScopeInfo>, CommandError> {
    console.list_scopes().await
}

#[tauri::command]
pub async fn create_api_key(
    console: Shared<'_>,
    environment: Environment,
    input: CreateKeyInput,
) -> Result<IssuedKey, CommandError> {
    console.create_api_key(environment, input).await
}

#[tauri::command]
pub async fn keep_issued_secret(
    console: Shared<'_>,
    key_id: String,
) -> Result<KeyRow, CommandError> {
    console.keep_issued_secret(&key_id).await
}

#[tauri::command]
pub fn discard_issued_secret(console: Shared<'_>, key_id: String) {
    console.discard_issued_secret(&key_id)
}

#[tauri::command]
pub async fn rotate_api_key(
    console: Shared<'_>,
    environment: Environment,
    key_id: String,
    grace_period_seconds: u64,
) -> Result<RotationResult, CommandError> {
    console
        .rotate_api_key(environment, &key_id, grace_period_seconds)
        .await
}

#[tauri::command]
pub async fn revoke_api_key(
    console: Shared<'_>,
    environment: Environment,
    key_id: String,
    confirm_name: Option<String>,
) -> Result<ApiKey, CommandError> {
    console
        .revoke_api_key(environment, &key_id, confirm_name)
        .await
}

#[tauri::command]
pub async fn key_activity(
    console: Shared<'_>,
    key_id: String,
    since: DateTime<Utc>,
) -> Result<KeyActivity, CommandError> {
    console.key_activity(&key_id, since).await
}

#[tauri::command]
pub async fn scope_advice(
    console: Shared<'_>,
    key_id: String,
) -> Result<ScopeAdvice, CommandError> {
    console.scope_advice(&key_id).await
}

#[tauri::command]
pub async fn replace_with_narrower_key(
    console: Shared<'_>,
    environment: Environment,
    key_id: String,
) -> Result<IssuedKey, CommandError> {
    console
        .replace_with_narrower_key(environment, &key_id)
        .await
}

#[tauri::command]
pub async fn rate_limits_view(console: Shared<'_>) -> Result<RateLimitView, CommandError> {
    console.rate_limits_view().await
}

/// Runs the burst test, emitting each result as a `burst-progress` event as it lands.
#[tauri::command]
pub async fn burst_test(
    app: AppHandle,
    console: Shared<'_>,
    environment: Environment,
    key_id: Option<String>,
    count: u32,
) -> Result<BurstReport, CommandError> {
    console
        .burst_test(environment, key_id.as_deref(), count, |result| {
            if let Err(error) = app.emit("burst-progress", result) {
                tracing::warn!(%error, "could not emit burst progress");
            }
        })
        .await
}
