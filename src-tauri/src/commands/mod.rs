//! One adapter per command: take the state, call one `Console` method, return its result.
//! Errors reach the UI as `CommandError` (`{code, message, status, request_id, details}`).

use std::sync::Arc;

use botbat_console_core::{
    AppStatus, CommandError, ConnectionReport, Console, DashboardSummary, Environment,
    EnvironmentInfo, Preferences, SettingsInput,
};
use tauri::State;

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
pub fn list_environments(console: Shared<'_>) -> Vec<EnvironmentInfo> {
    console.list_environments()
}

#[tauri::command]
pub fn save_settings(
    console: Shared<'_>,
    input: SettingsInput,
) -> Result<Preferences, CommandError> {
    console.save_settings(input)
}

#[tauri::command]
pub fn set_management_key(
    console: Shared<'_>,
    environment: Environment,
    key: String,
) -> Result<EnvironmentInfo, CommandError> {
    console.set_management_key(environment, key)
}

#[tauri::command]
pub fn clear_management_key(
    console: Shared<'_>,
    environment: Environment,
) -> Result<EnvironmentInfo, CommandError> {
    console.clear_management_key(environment)
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
